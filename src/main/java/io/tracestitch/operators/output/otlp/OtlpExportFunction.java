package io.tracestitch.operators.output.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.Keys;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by {@code (tenant, transactionId)}, after Order lines: each revision as OTLP requests
 * ({@link TransactionTrace}), holding only the spans a trace UI has not been sent yet, or whose form
 * changed ({@link SpanDelta}); a revision that changes no span writes nothing. Records are keyed
 * {@code <tenant>/<transactionId>}, so one transaction's requests stay in one partition, in order.
 *
 * <p>State: one {@link EmittedSpans} per transaction id, as large as its latest revision (at most
 * {@code max-spans} + 1 span ids with a fingerprint each, 16 bytes a span), expiring with the horizon.
 * A revision after its entry expired writes its spans again: copies identical to the ones sent
 * before, unless their content changed meanwhile.
 */
public final class OtlpExportFunction
        extends KeyedProcessFunction<Tuple2<String, String>, TransactionRevision, TopicRecord> {

    private final StitchConfig config;
    private final OtlpEncoding encoding;
    private transient ValueState<EmittedSpans> emitted;
    private transient Tally spansOut;
    private transient Tally requestsOut;

    public OtlpExportFunction(StitchConfig config, OtlpEncoding encoding) {
        this.config = config;
        this.encoding = encoding;
    }

    public static Tuple2<String, String> keyOf(TransactionRevision revision) {
        return Keys.of(revision.tenant(), revision.transactionId());
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<EmittedSpans> descriptor =
                new ValueStateDescriptor<>("otlp-emitted", Types.POJO(EmittedSpans.class));
        Timers.expireAfter(descriptor, config.horizon());
        emitted = getRuntimeContext().getState(descriptor);
        spansOut = new Tally(getRuntimeContext(), "otlpSpansOut");
        requestsOut = new Tally(getRuntimeContext(), "otlpRequestsOut");
    }

    @Override
    public void processElement(TransactionRevision revision, Context ctx, Collector<TopicRecord> out) throws Exception {
        RevisionContent content = RevisionContent.of(revision);
        SpanDelta.Result delta = SpanDelta.of(emitted.value(), content, TransactionTrace.of(content));
        emitted.update(delta.after());
        if (delta.toWrite().isEmpty()) {
            return;
        }
        byte[] key = (revision.tenant() + "/" + revision.transactionId()).getBytes(StandardCharsets.UTF_8);
        for (ExportTraceServiceRequest request : OtlpRequests.of(revision.tenant(), delta.toWrite())) {
            out.collect(new TopicRecord(key, OtlpRequests.encode(request, encoding)));
            requestsOut.inc();
        }
        for (int i = 0; i < delta.toWrite().size(); i++) {
            spansOut.inc();
        }
    }
}
