package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Input of the per-trace content store, one of: newly closed spans (as a digest), an invocation update, or a
 * request to send the trace's content to revision {@code revision} of transaction {@code txnId},
 * answered once the store's watermark reaches {@code fence} (so every change the resolver saw has
 * arrived here too).
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record ContentInput(
        String tenant, String traceId, TraceDigest digest, Invocation invocation, String txnId, int revision, long fence) {

    public static ContentInput spans(String tenant, TraceDigest digest) {
        return new ContentInput(tenant, digest.traceId(), digest, null, null, 0, Long.MIN_VALUE);
    }

    public static ContentInput invocation(String tenant, String traceId, Invocation invocation) {
        return new ContentInput(tenant, traceId, null, invocation, null, 0, Long.MIN_VALUE);
    }

    public static ContentInput request(String tenant, String traceId, String txnId, int revision, long fence) {
        return new ContentInput(tenant, traceId, null, null, txnId, revision, fence);
    }

    public boolean isRequest() {
        return txnId != null;
    }

    public Tuple2<String, String> key() {
        return Keys.of(tenant, traceId);
    }
}
