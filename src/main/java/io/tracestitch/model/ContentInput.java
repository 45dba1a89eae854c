package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.java.tuple.Tuple2;

/** Input of the per-trace content store. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public sealed interface ContentInput {

    String tenant();

    String traceId();

    default Tuple2<String, String> key() {
        return Keys.of(tenant(), traceId());
    }

    /** Newly closed spans of the trace, as a digest. */
    record ClosedSpans(String tenant, TraceDigest digest) implements ContentInput {
        @Override
        public String traceId() {
            return digest.traceId();
        }
    }

    /** What the logs say about an invocation whose spans are in the trace. */
    record InvocationUpdate(String tenant, String traceId, Invocation invocation) implements ContentInput {}

    /**
     * Send the trace's content for plan {@code seq} of the tenant (a revision of {@code transactionId}),
     * once the store's watermark reaches {@code fence}: by then every change the resolver saw when it
     * planned has arrived here too.
     */
    record ContentRequest(String tenant, String traceId, String transactionId, long seq, long fence)
            implements ContentInput {}
}
