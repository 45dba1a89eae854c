package io.tracestitch.operators.trace;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.Keys;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.operators.DeadLetters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TraceAssemblerFunctionTest {

    private static final StitchConfig CONFIG = StitchConfig.defaults();
    private static final long GAP = CONFIG.gapMs();
    private static final String TENANT = "111";
    private static final MessageRef[] NO_MESSAGES = new MessageRef[0];
    private static final SpanLink[] NO_LINKS = new SpanLink[0];

    private KeyedOneInputStreamOperatorTestHarness<Tuple2<String, String>, Span, ContentInput> harness;

    @BeforeEach
    void open() throws Exception {
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new TraceAssemblerFunction(CONFIG), TraceAssemblerFunction::keyOf, Keys.TYPE);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static Span span(String traceId, String spanId, long endMs, String requestId, MessageRef[] messages, SpanLink[] links) {
        return new Span(TENANT, traceId, spanId, null, "svc-" + traceId, "op", "internal", endMs - 10, endMs, false,
                requestId, messages, links, "{}");
    }

    static Span span(String traceId, String spanId, long endMs) {
        return span(traceId, spanId, endMs, null, NO_MESSAGES, NO_LINKS);
    }

    private void add(Span s) throws Exception {
        harness.processElement(new StreamRecord<>(s, s.eventTimeMs()));
    }

    private List<ContentInput> emitted() {
        List<ContentInput> out = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return out;
    }

    private <T> List<T> side(OutputTag<T> tag) {
        ConcurrentLinkedQueue<StreamRecord<T>> q = harness.getSideOutput(tag);
        List<T> out = new ArrayList<>();
        if (q != null) {
            q.forEach(r -> out.add(r.getValue()));
            q.clear();
        }
        return out;
    }

    private static List<String> spanIds(List<ContentInput> inputs) {
        List<String> ids = new ArrayList<>();
        for (ContentInput c : inputs) {
            for (Span s : TraceDigests.spans(((ContentInput.ClosedSpans) c).digest())) {
                ids.add(s.spanId());
            }
        }
        return ids;
    }

    @Test
    void emitsOnceTheWatermarkPassesLastEndPlusGap() throws Exception {
        add(span("t1", "a", 1_000));
        add(span("t1", "b", 5_000));
        add(span("t1", "c", 3_000));
        harness.processWatermark(new Watermark(5_000 + GAP - 1));
        assertThat(emitted()).as("not before last end + gap").isEmpty();

        harness.processWatermark(new Watermark(5_000 + GAP));
        List<ContentInput> out = emitted();
        assertThat(out).hasSize(1);
        assertThat(out.get(0).tenant()).isEqualTo(TENANT);
        assertThat(out.get(0).traceId()).isEqualTo("t1");
        assertThat(spanIds(out)).containsExactlyInAnyOrder("a", "b", "c");

        harness.processWatermark(new Watermark(100_000));
        assertThat(emitted()).as("emitted once").isEmpty();
    }

    @Test
    void aSpanArrivingBeforeTheTimerFiresMovesTheCloseOn() throws Exception {
        add(span("t1", "a", 1_000));
        harness.processWatermark(new Watermark(500));
        add(span("t1", "b", 1_000 + GAP - 100)); // extends the trace before it closed
        harness.processWatermark(new Watermark(1_000 + GAP));
        assertThat(emitted()).isEmpty();
        harness.processWatermark(new Watermark(1_000 + GAP - 100 + GAP));
        assertThat(spanIds(emitted())).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void bufferIsClearedAfterCloseLeavingOnlyTheMeta() throws Exception {
        add(span("t1", "a", 1_000));
        add(span("t1", "b", 2_000));
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2); // buffer + meta
        harness.processWatermark(new Watermark(2_000 + GAP));
        assertThat(emitted()).hasSize(1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void lateSpanReopensTheTraceAndIsEmittedAtTheNextWatermark() throws Exception {
        add(span("t1", "a", 1_000));
        harness.processWatermark(new Watermark(1_000 + GAP));
        assertThat(spanIds(emitted())).containsExactly("a");
        side(TraceAssemblerFunction.TRACES);

        harness.processWatermark(new Watermark(1_000_000));
        add(span("t1", "late", 2_000)); // far behind the watermark
        assertThat(emitted()).isEmpty();
        harness.processWatermark(new Watermark(1_000_001));
        List<ContentInput> out = emitted();
        assertThat(spanIds(out)).containsExactly("late");
        List<ResolverInput> traces = side(TraceAssemblerFunction.TRACES);
        assertThat(traces).hasSize(1);
        assertThat(((ResolverInput.TraceClosed) traces.get(0)).lastEventMs()).isEqualTo(2_000);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void sideOutputsCarryHopSidesRequestsAndTraceFacts() throws Exception {
        MessageRef publish = MessageRef.of(TENANT, "sns", true, "arn:aws:sns:us-east-1:111:orders", "m1");
        MessageRef receive = MessageRef.of(TENANT, "sqs", false, "queue-0", "q1");
        add(span("t1", "a", 1_000, "req-1", new MessageRef[] {publish}, NO_LINKS));
        add(span("t1", "b", 1_100, "req-1", new MessageRef[] {receive, publish}, new SpanLink[] {new SpanLink("t9", "x")}));
        add(span("t1", "c", 1_200, "req-2", NO_MESSAGES, new SpanLink[] {new SpanLink("t9", "y")}));
        add(span("t2", "z", 1_050));
        harness.processWatermark(new Watermark(1_200 + GAP));

        assertThat(emitted()).extracting(ContentInput::traceId).containsExactlyInAnyOrder("t1", "t2");
        List<HopSide> sides = side(TraceAssemblerFunction.HOP_SIDES);
        assertThat(sides).containsExactlyInAnyOrder(
                new HopSide(publish.joinKey(), "t1", true),
                new HopSide(receive.joinKey(), "t1", false));
        assertThat(side(TraceAssemblerFunction.REQUESTS)).containsExactlyInAnyOrder(
                new RequestFact(TENANT, "req-1", "t1", "svc-t1"),
                new RequestFact(TENANT, "req-2", "t1", "svc-t1"));
        List<ResolverInput> traces = side(TraceAssemblerFunction.TRACES);
        assertThat(traces).extracting(ResolverInput::traceId).containsExactlyInAnyOrder("t1", "t2");
        ResolverInput.TraceClosed t1 = (ResolverInput.TraceClosed) traces.stream()
                .filter(t -> t.traceId().equals("t1")).findFirst().orElseThrow();
        assertThat(t1.tenant()).isEqualTo(TENANT);
        assertThat(t1.links()).containsExactly("t9");
        assertThat(t1.lastEventMs()).isEqualTo(1_200);
        assertThat(side(DeadLetters.TAG)).isEmpty();
    }

    /** Replaces the harness with one whose trace assembler allows {@code maxSpans} spans per trace. */
    private void reopenWithSpanCap(int maxSpans) throws Exception {
        harness.close();
        StitchConfig capped = new StitchConfig(CONFIG.gapMs(), CONFIG.maxHopDelayMs(), CONFIG.outOfOrdernessMs(),
                CONFIG.horizon(), maxSpans, CONFIG.maxSidesPerKey(), CONFIG.includeSpans());
        harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new TraceAssemblerFunction(capped), TraceAssemblerFunction::keyOf, Keys.TYPE);
    }

    @Test
    void spansOverThePerTraceCapAreDeadLetters() throws Exception {
        reopenWithSpanCap(3);
        for (int i = 0; i < 5; i++) {
            add(span("t1", "s" + i, 1_000 + i));
        }
        List<DeadLetter> dead = side(DeadLetters.TAG);
        assertThat(dead).hasSize(2);
        assertThat(dead).extracting(DeadLetter::reason).containsOnly("trace-span-cap");
        assertThat(dead.get(0).raw()).contains("\"traceId\":\"t1\"").contains("\"spanId\":\"s3\"");
        harness.processWatermark(new Watermark(1_004 + GAP));
        assertThat(spanIds(emitted())).containsExactlyInAnyOrder("s0", "s1", "s2");
    }

    /**
     * docs/stitching.md, I1: duplicates (the same span delivered twice) count once, so redelivered copies must not
     * push distinct spans of a trace over the cap into the dead letters.
     */
    @Test
    void duplicateDeliveriesDoNotCountTowardsTheCap() throws Exception {
        reopenWithSpanCap(3);
        add(span("t1", "a", 1_000));
        add(span("t1", "a", 1_000));
        add(span("t1", "a", 1_000));
        add(span("t1", "b", 1_001)); // only the second distinct span of the trace
        assertThat(side(DeadLetters.TAG)).as("no distinct span is over the cap of 3").isEmpty();
        harness.processWatermark(new Watermark(1_001 + GAP));
        assertThat(new java.util.HashSet<>(spanIds(emitted()))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void defaultCapSendsTheSpanBeyondItToDeadLetters() throws Exception {
        int cap = CONFIG.maxSpansPerTransaction();
        for (int i = 0; i < cap; i++) {
            add(span("big", "s" + i, 1_000));
        }
        assertThat(side(DeadLetters.TAG)).isEmpty();
        add(span("big", "over", 1_000));
        assertThat(side(DeadLetters.TAG)).extracting(DeadLetter::reason).containsExactly("trace-span-cap");
    }
}
