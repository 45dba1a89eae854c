package io.tracestitch.operators.trace;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.Json;
import io.tracestitch.model.Keys;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.model.SpanSerializer;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@code (tenant, traceId)}: buffers a trace's spans until no span of it has ended for the
 * inactivity gap (event time), then hands the closed spans to the content store and compact facts
 * to the hop, invocation and resolver stages. A span arriving after that reopens the trace for
 * another gap (or until the next watermark, if it is late): a revision. After closing, only
 * {@link TraceMeta} stays (the buffer is cleared).
 *
 * <p>Cap: {@code max-spans} distinct spans per trace over its life, counted exactly
 * ({@link SpanIdSet}); redelivered copies do not count, but at most twice that many deliveries are
 * buffered. A refused delivery is a dead letter ({@code trace-span-cap}) and is counted on the trace,
 * whose next close reports the count so its transaction says it is capped.
 *
 * <p>With a horizon, the meta expires once untouched for it (processing time). A close timer that
 * finds it gone (the trace's watermark stalled for the horizon) counts {@code expiredState} and closes
 * what the buffer holds, so no accepted span is lost; a timer left from before the meta expired and
 * was created anew is ignored. The buffer itself does not expire: a close timer always exists while it
 * holds spans.
 */
public final class TraceAssemblerFunction extends KeyedProcessFunction<Tuple2<String, String>, Span, ContentInput> {

    public static final OutputTag<HopSide> HOP_SIDES = new OutputTag<>("hop-sides") {};
    public static final OutputTag<ResolverInput> TRACES = new OutputTag<>("traces") {};
    public static final OutputTag<RequestFact> REQUESTS = new OutputTag<>("requests") {};

    private final StitchConfig config;
    /** Spans of open traces, serialized: a byte array holds a span in a third of the heap. */
    private transient ListState<byte[]> buffer;
    private transient DataOutputSerializer spanBytes;
    private transient ValueState<TraceMeta> meta;
    private transient Tally spans;
    private transient Tally lateRecords;
    private transient Tally deadLetters;
    private transient Tally expiredState;

    public TraceAssemblerFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ListStateDescriptor<byte[]> bufferDescriptor =
                new ListStateDescriptor<>("trace-buffer", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        ValueStateDescriptor<TraceMeta> metaDescriptor = new ValueStateDescriptor<>("trace-meta", TraceMeta.class);
        // Only the meta expires: the buffer must not go while the meta, kept alive by refused spans,
        // still says the trace is open. A close timer always exists while the buffer holds spans, and
        // clears it, counted, if the meta expired first.
        Timers.expireAfter(metaDescriptor, config.horizon());
        buffer = getRuntimeContext().getListState(bufferDescriptor);
        meta = getRuntimeContext().getState(metaDescriptor);
        spanBytes = new DataOutputSerializer(512);
        spans = new Tally(getRuntimeContext(), "spans");
        lateRecords = new Tally(getRuntimeContext(), "lateRecords");
        deadLetters = new Tally(getRuntimeContext(), "deadLetters");
        expiredState = new Tally(getRuntimeContext(), "expiredState");
    }

    @Override
    public void processElement(Span span, Context ctx, Collector<ContentInput> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        long eventTime = span.eventTimeMs();
        if (eventTime < config.tooLateBefore(watermark)) {
            deadLetter(ctx, "too-late", "ended " + (watermark - eventTime) + " ms behind the watermark, more than the horizon",
                    span);
            return;
        }
        if (eventTime <= watermark) {
            lateRecords.inc();
        }
        TraceMeta m = meta.value();
        if (m == null) {
            m = new TraceMeta();
        }
        int cap = config.maxSpansPerTransaction();
        boolean known = m.spanIds.contains(span.spanId());
        if ((!known && m.spanIds.size() >= cap) || m.deliveries >= 2 * cap) {
            m.spansRefused++;
            deadLetter(ctx, "trace-span-cap", m.deliveries >= 2 * cap
                    ? "the trace already took " + m.deliveries + " deliveries (twice max-spans)"
                    : "the trace already holds " + cap + " distinct spans (max-spans)", span);
        } else {
            if (!known) {
                m.spanIds.add(span.spanId());
            }
            spans.inc();
            spanBytes.clear();
            SpanSerializer.INSTANCE.serialize(span, spanBytes);
            buffer.add(spanBytes.getCopyOfBuffer());
            m.deliveries++;
            m.lastEventMs = Math.max(m.lastEventMs, eventTime);
        }
        if (m.timerMs == Long.MIN_VALUE) {
            // A refused span also closes the trace again: its transaction must learn it is capped.
            m.timerMs = Timers.afterWatermark(watermark, Timers.plus(m.lastEventMs, config.gapMs()));
            ctx.timerService().registerEventTimeTimer(m.timerMs);
        }
        meta.update(m);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ContentInput> out) throws Exception {
        TraceMeta m = meta.value();
        if (m == null) {
            // The horizon expired the meta of an open trace (its watermark stalled for that long):
            // close what the buffer holds rather than lose it; only the cap's count is forgotten.
            expiredState.inc();
            closeAfterExpiry(ctx, out);
            return;
        }
        if (m.timerMs != timestamp) {
            return; // registered before the state expired and was made anew: the new timer is the one
        }
        long due = Timers.plus(m.lastEventMs, config.gapMs());
        if (due > timestamp) {
            // Spans kept arriving: one timer per trace, moved on instead of re-registered per span.
            m.timerMs = due;
            ctx.timerService().registerEventTimeTimer(due);
            meta.update(m);
            return;
        }
        List<Span> closed = bufferedSpans();
        m.timerMs = Long.MIN_VALUE;
        meta.update(m);
        emit(ctx.getCurrentKey(), closed, m, ctx, out);
    }

    private void closeAfterExpiry(OnTimerContext ctx, Collector<ContentInput> out) throws Exception {
        List<Span> closed = bufferedSpans();
        if (closed.isEmpty()) {
            return;
        }
        TraceMeta m = new TraceMeta();
        for (Span span : closed) {
            m.spanIds.add(span.spanId());
            m.lastEventMs = Math.max(m.lastEventMs, span.eventTimeMs());
        }
        m.deliveries = closed.size();
        meta.update(m);
        emit(ctx.getCurrentKey(), closed, m, ctx, out);
    }

    /** The open trace's spans, taken out of the buffer. */
    private List<Span> bufferedSpans() throws Exception {
        List<Span> spans = new ArrayList<>();
        for (byte[] bytes : buffer.get()) {
            spans.add(SpanSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)));
        }
        buffer.clear();
        return spans;
    }

    private void emit(Tuple2<String, String> key, List<Span> closed, TraceMeta m, OnTimerContext ctx,
            Collector<ContentInput> out) {
        String tenant = key.f0;
        String traceId = key.f1;
        Set<String> links = new LinkedHashSet<>();
        Set<HopSide> sides = new LinkedHashSet<>();
        Set<String> requestIds = new LinkedHashSet<>();
        for (Span span : closed) {
            for (MessageRef ref : span.messages()) {
                HopSide side = new HopSide(ref.joinKey(), traceId, ref.publish());
                if (sides.add(side)) {
                    ctx.output(HOP_SIDES, side);
                }
            }
            for (SpanLink link : span.links()) {
                links.add(link.traceId());
            }
            if (span.requestId() != null && requestIds.add(span.requestId())) {
                ctx.output(REQUESTS, new RequestFact(tenant, span.requestId(), traceId, span.service()));
            }
        }
        TraceDigest digest = TraceDigests.of(traceId, SpanUnion.merge(new Span[0], closed));
        out.collect(new ContentInput.ClosedSpans(tenant, digest.withSpansRefused(m.spansRefused)));
        ctx.output(TRACES, new ResolverInput.TraceClosed(tenant, traceId, m.lastEventMs, links.toArray(new String[0])));
    }

    private void deadLetter(Context ctx, String reason, String detail, Span span) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, DeadLetter.of(reason, detail, Json.spanStub(span)));
    }

    public static Tuple2<String, String> keyOf(Span span) {
        return Keys.of(span.tenant(), span.traceId());
    }
}
