package io.tracestitch.operators.trace;

import static io.tracestitch.testing.Spans.TENANT;
import static io.tracestitch.testing.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.config.StitchOptions;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.KeyedStage;
import io.tracestitch.testing.Spans;
import io.tracestitch.testing.TestConfigs;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace stage: close timers at last end + gap (never a millisecond early), the exact per-trace span
 * cap and its refused count, side outputs, and state: only the meta once a trace is closed, nothing
 * left and {@code expiredState} counted when the horizon expired a trace with a timer pending.
 */
class TraceAssemblerFunctionTest {

    private static final long GAP = TestConfigs.GAP;
    private static final long HORIZON = TestConfigs.HORIZON.toMillis();
    private static final long T0 = 1_732_400_000_000L;
    private static final long GAP_LATER = T0 + GAP;

    private KeyedStage<Tuple2<String, String>, Span, ContentInput> stage;

    @AfterEach
    void close() throws Exception {
        stage.close();
    }

    private void open(StitchConfig config) throws Exception {
        stage = Harnesses.traceAssembler(config);
    }

    private void openBounded() throws Exception {
        open(TestConfigs.bounded().build());
    }

    private void openWithSpanCap(int maxSpans) throws Exception {
        open(TestConfigs.bounded().set(StitchOptions.MAX_SPANS_PER_TRANSACTION, maxSpans).build());
    }

    private void add(Span s) throws Exception {
        stage.add(s, s.eventTimeMs());
    }

    /** The digests closed since the last call. */
    private List<TraceDigest> closed() {
        List<TraceDigest> digests = new ArrayList<>();
        for (ContentInput c : stage.drain()) {
            digests.add(((ContentInput.ClosedSpans) c).digest());
        }
        return digests;
    }

    private static List<String> spanIds(List<TraceDigest> digests) {
        List<String> ids = new ArrayList<>();
        digests.forEach(d -> ids.addAll(Spans.spanIds(d)));
        return ids;
    }

    private List<String> deadLetterReasons() {
        return stage.drainSide(DeadLetters.TAG).stream().map(DeadLetter::reason).toList();
    }

    @Test
    void emitsOnceTheWatermarkPassesLastEndPlusGap() throws Exception {
        openBounded();
        add(span("t1", "a", T0));
        add(span("t1", "b", T0 + 4_000));
        add(span("t1", "c", T0 + 2_000));
        stage.watermark(T0 + 4_000 + GAP - 1);
        assertThat(closed()).as("not before last end + gap").isEmpty();

        stage.watermark(T0 + 4_000 + GAP);
        List<TraceDigest> out = closed();
        assertThat(out).singleElement().satisfies(d -> assertThat(d.traceId()).isEqualTo("t1"));
        assertThat(spanIds(out)).containsExactlyInAnyOrder("a", "b", "c");

        stage.watermark(T0 + 100 * GAP);
        assertThat(closed()).as("emitted once").isEmpty();
    }

    @Test
    void aSpanArrivingBeforeTheTimerFiresMovesTheCloseOn() throws Exception {
        openBounded();
        add(span("t1", "a", T0));
        stage.watermark(T0 - 500);
        add(span("t1", "b", T0 + GAP - 100)); // extends the trace before it closed
        stage.watermark(GAP_LATER);
        assertThat(closed()).isEmpty();
        stage.watermark(T0 + GAP - 100 + GAP - 1);
        assertThat(closed()).isEmpty();
        stage.watermark(T0 + GAP - 100 + GAP);
        assertThat(spanIds(closed())).containsExactlyInAnyOrder("a", "b");
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void bufferIsClearedAfterCloseLeavingOnlyTheMeta() throws Exception {
        openBounded();
        add(span("t1", "a", T0));
        add(span("t1", "b", T0 + 1_000));
        assertThat(stage.keysHolding("trace-buffer")).isOne();
        assertThat(stage.keysHolding("trace-meta")).isOne();
        stage.watermark(T0 + 1_000 + GAP);
        assertThat(closed()).hasSize(1);
        assertThat(stage.keysHolding("trace-buffer")).isZero();
        assertThat(stage.stateEntries()).as("the meta only").isOne();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void lateSpanReopensTheTraceAndIsEmittedAtTheNextWatermark() throws Exception {
        openBounded();
        add(span("t1", "a", T0));
        stage.watermark(GAP_LATER);
        assertThat(spanIds(closed())).containsExactly("a");
        stage.drainSide(TraceAssemblerFunction.TRACES);

        long muchLater = T0 + 1_000 * GAP;
        stage.watermark(muchLater);
        add(span("t1", "late", T0 + 1_000)); // far behind the watermark
        assertThat(closed()).isEmpty();
        assertThat(stage.tally("lateRecords")).isOne();
        stage.watermark(muchLater + 1);
        assertThat(spanIds(closed())).containsExactly("late");
        assertThat(stage.drainSide(TraceAssemblerFunction.TRACES)).singleElement()
                .satisfies(t -> assertThat(((ResolverInput.TraceClosed) t).lastEventMs()).isEqualTo(T0 + 1_000));
        assertThat(stage.stateEntries()).isOne();
    }

    @Test
    void sideOutputsCarryHopSidesRequestsAndTraceFacts() throws Exception {
        openBounded();
        MessageRef publish = Spans.publish("sns", "arn:aws:sns:us-east-1:111:orders", "m1");
        MessageRef receive = Spans.receive("sqs", "queue-0", "q1");
        add(span("t1", "a", T0, "req-1", new MessageRef[] {publish}, new SpanLink[0]));
        add(span("t1", "b", T0 + 100, "req-1", new MessageRef[] {receive, publish},
                new SpanLink[] {new SpanLink("t9", "x")}));
        add(span("t1", "c", T0 + 200, "req-2", new MessageRef[0], new SpanLink[] {new SpanLink("t9", "y")}));
        add(span("t2", "z", T0 + 50));
        stage.watermark(T0 + 200 + GAP);

        assertThat(closed()).extracting(TraceDigest::traceId).containsExactlyInAnyOrder("t1", "t2");
        assertThat(stage.drainSide(TraceAssemblerFunction.HOP_SIDES)).containsExactlyInAnyOrder(
                new HopSide(publish.joinKey(), "t1", true),
                new HopSide(receive.joinKey(), "t1", false));
        assertThat(stage.drainSide(TraceAssemblerFunction.REQUESTS)).containsExactlyInAnyOrder(
                new RequestFact(TENANT, "req-1", "t1", "svc-t1"),
                new RequestFact(TENANT, "req-2", "t1", "svc-t1"));
        List<ResolverInput> traces = stage.drainSide(TraceAssemblerFunction.TRACES);
        assertThat(traces).extracting(ResolverInput::traceId).containsExactlyInAnyOrder("t1", "t2");
        ResolverInput.TraceClosed t1 = (ResolverInput.TraceClosed) traces.stream()
                .filter(t -> t.traceId().equals("t1")).findFirst().orElseThrow();
        assertThat(t1.tenant()).isEqualTo(TENANT);
        assertThat(t1.links()).containsExactly("t9");
        assertThat(t1.lastEventMs()).isEqualTo(T0 + 200);
        assertThat(deadLetterReasons()).isEmpty();
    }

    @Test
    void spansOverThePerTraceCapAreDeadLetters() throws Exception {
        openWithSpanCap(3);
        for (int i = 0; i < 5; i++) {
            add(span("t1", "s" + i, T0 + i));
        }
        List<DeadLetter> dead = stage.drainSide(DeadLetters.TAG);
        assertThat(dead).extracting(DeadLetter::reason).containsExactly("trace-span-cap", "trace-span-cap");
        assertThat(dead.get(0).raw()).contains("\"traceId\":\"t1\"").contains("\"spanId\":\"s3\"");
        stage.watermark(T0 + 4 + GAP);
        assertThat(spanIds(closed())).containsExactlyInAnyOrder("s0", "s1", "s2");
    }

    /**
     * docs/stitching.md, I1: duplicates (the same span delivered twice) count once, so redelivered copies must not
     * push distinct spans of a trace over the cap into the dead letters.
     */
    @Test
    void duplicateDeliveriesDoNotCountTowardsTheCap() throws Exception {
        openWithSpanCap(3);
        add(span("t1", "a", T0));
        add(span("t1", "a", T0));
        add(span("t1", "a", T0));
        add(span("t1", "b", T0 + 1)); // only the second distinct span of the trace
        assertThat(deadLetterReasons()).as("no distinct span is over the cap of 3").isEmpty();
        stage.watermark(T0 + 1 + GAP);
        assertThat(new HashSet<>(spanIds(closed()))).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void defaultCapSendsTheSpanBeyondItToDeadLetters() throws Exception {
        openBounded();
        int cap = StitchOptions.MAX_SPANS_PER_TRANSACTION.defaultValue();
        for (int i = 0; i < cap; i++) {
            add(span("big", "s" + i, T0));
        }
        assertThat(deadLetterReasons()).isEmpty();
        add(span("big", "over", T0));
        assertThat(deadLetterReasons()).containsExactly("trace-span-cap");
    }

    @Test
    void refusedSpansAreCountedInTheDigestAndDoNotMoveTheClose() throws Exception {
        openWithSpanCap(2);
        add(span("t1", "a", T0));
        add(span("t1", "b", T0));
        add(span("t1", "c", T0 + 5_000)); // refused: its end must not keep the trace open
        add(span("t1", "d", T0 + 5_000));
        assertThat(deadLetterReasons()).containsExactly("trace-span-cap", "trace-span-cap");

        stage.watermark(GAP_LATER);
        List<TraceDigest> out = closed();
        assertThat(out).singleElement().satisfies(d -> {
            assertThat(d.spanCount()).isEqualTo(2);
            assertThat(d.spansRefused()).isEqualTo(2);
        });
        assertThat(stage.drainSide(TraceAssemblerFunction.TRACES)).singleElement()
                .satisfies(t -> assertThat(((ResolverInput.TraceClosed) t).lastEventMs()).isEqualTo(T0));
    }

    /** A span refused after the close still closes the trace again: its transaction must learn it is capped. */
    @Test
    void aSpanRefusedAfterTheCloseClosesTheTraceAgainToReportIt() throws Exception {
        openWithSpanCap(2);
        add(span("t1", "a", T0));
        add(span("t1", "b", T0));
        stage.watermark(GAP_LATER);
        assertThat(closed()).singleElement().satisfies(d -> assertThat(d.spansRefused()).isZero());
        stage.drainSide(TraceAssemblerFunction.TRACES);

        add(span("t1", "c", T0 + 1));
        assertThat(deadLetterReasons()).containsExactly("trace-span-cap");
        assertThat(stage.eventTimeTimers()).as("the close is armed again").isOne();
        assertThat(closed()).as("not before the next watermark").isEmpty();

        stage.watermark(GAP_LATER + 1);
        assertThat(closed()).singleElement().satisfies(d -> {
            assertThat(d.spanCount()).as("no new spans").isZero();
            assertThat(d.spansRefused()).isOne();
        });
        assertThat(stage.drainSide(TraceAssemblerFunction.TRACES)).as("the resolver hears of it").hasSize(1);

        add(span("t1", "d", T0 + 2));
        stage.watermark(GAP_LATER + 2);
        assertThat(closed()).singleElement()
                .satisfies(d -> assertThat(d.spansRefused()).as("cumulative").isEqualTo(2));
        assertThat(stage.eventTimeTimers()).isZero();
        assertThat(stage.stateEntries()).as("the meta only").isOne();
    }

    /** "Aa", "BB" and "C#" have the same {@code String.hashCode}, and so has every string made of them. */
    @Test
    void idsWhoseHashCodesCollideAreCountedExactly() throws Exception {
        List<String> colliding = new ArrayList<>();
        for (String a : new String[] {"Aa", "BB", "C#"}) {
            for (String b : new String[] {"Aa", "BB", "C#"}) {
                for (String c : new String[] {"Aa", "BB", "C#"}) {
                    colliding.add(a + b + c);
                }
            }
        }
        assertThat(colliding.stream().map(String::hashCode).distinct()).as("precondition").hasSize(1);
        int cap = colliding.size() - 1;
        openWithSpanCap(cap);

        for (String id : colliding.subList(0, cap)) {
            add(span("t1", id, T0));
        }
        for (String id : colliding.subList(0, 10)) {
            add(span("t1", id, T0)); // redelivered copies count once
        }
        assertThat(deadLetterReasons()).isEmpty();
        add(span("t1", colliding.get(cap), T0));
        assertThat(deadLetterReasons()).containsExactly("trace-span-cap");

        stage.watermark(GAP_LATER);
        assertThat(closed()).singleElement().satisfies(d -> {
            assertThat(d.spanCount()).isEqualTo(cap);
            assertThat(d.spansRefused()).isOne();
        });
    }

    /**
     * 16 lower-case hex digits are held as a number: zero (the empty-slot marker), the value that marks
     * "not hex", and an upper-case spelling (another id, held as a string) must each count as one id.
     */
    @Test
    void sixteenHexDigitIdsAreCountedExactly() throws Exception {
        List<String> ids = new ArrayList<>(List.of("0000000000000000", "8000000000000000", "ffffffffffffffff",
                "00000000000000AB", "7fffffffffffffff"));
        for (int i = 1; i <= 200; i++) {
            ids.add(String.format("%016x", i)); // holds 00000000000000ab, the other spelling above
            ids.add(String.format("%016x", (long) i << 48));
        }
        int cap = ids.size();
        openWithSpanCap(cap);
        for (String id : ids) {
            add(span("t1", id, T0));
            add(span("t1", id, T0));
        }
        assertThat(deadLetterReasons()).isEmpty();
        add(span("t1", "0000000000000fff", T0));
        assertThat(deadLetterReasons()).containsExactly("trace-span-cap");

        stage.watermark(GAP_LATER);
        assertThat(spanIds(closed())).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aTraceOfAHundredThousandSpansUnderARaisedCapIsCountedExactly() throws Exception {
        int cap = 100_000;
        openWithSpanCap(cap);
        for (int i = 0; i < cap; i++) {
            // Half spell 64-bit numbers, half are other strings: both of the id set's tables fill up.
            add(span("big", i % 2 == 0 ? String.format("%016x", i) : "span-" + i, T0));
        }
        for (int i = 0; i < 1_000; i++) {
            add(span("big", String.format("%016x", 2 * i), T0));
        }
        assertThat(deadLetterReasons()).isEmpty();
        add(span("big", "span-" + cap, T0));
        assertThat(deadLetterReasons()).containsExactly("trace-span-cap");

        stage.watermark(GAP_LATER);
        assertThat(closed()).singleElement().satisfies(d -> {
            assertThat(d.spanCount()).isEqualTo(cap);
            assertThat(d.spansRefused()).isOne();
        });
    }

    @Test
    void stateOfAnOpenTraceLivesUntilTheHorizonNotAMillisecondLess() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        add(span("t1", "a", T0));
        stage.setStateClock(HORIZON - 1);
        stage.watermark(GAP_LATER);
        assertThat(spanIds(closed())).containsExactly("a");
        assertThat(stage.tally("expiredState")).isZero();
    }

    @Test
    void aCloseTimerFindingItsMetaExpiredCountsItAndStillClosesTheBufferedSpans() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        add(span("t1", "a", T0));
        add(span("t1", "b", T0));
        stage.setStateClock(HORIZON);

        stage.watermark(GAP_LATER);
        assertThat(stage.tally("expiredState")).isOne();
        assertThat(spanIds(closed())).as("no accepted span is lost").containsExactlyInAnyOrder("a", "b");
        assertThat(stage.drainSide(TraceAssemblerFunction.TRACES)).extracting(ResolverInput::traceId)
                .containsExactly("t1");
        assertThat(stage.stateEntries()).as("buffer cleared, a new meta").isOne();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void aTimerFromBeforeExpiryIsIgnoredWhenTheTraceStartsAfresh() throws Exception {
        open(TestConfigs.endless().build());
        long oldClose = GAP_LATER;
        long newEnd = T0 + 5_000;
        long newClose = newEnd + GAP;
        stage.setStateClock(0);
        add(span("t1", "old", T0));
        stage.setStateClock(HORIZON);
        add(span("t1", "new", newEnd)); // the old meta expired: this one starts afresh, the buffer stays
        assertThat(stage.eventTimeTimers()).as("the old timer and the new one").isEqualTo(2);

        stage.watermark(oldClose);
        assertThat(closed()).as("the old timer is not the trace's timer").isEmpty();
        assertThat(stage.tally("expiredState")).as("the state it found is live").isZero();

        stage.watermark(newClose - 1);
        assertThat(closed()).isEmpty();
        stage.watermark(newClose);
        assertThat(spanIds(closed())).as("spans buffered before the meta expired are not lost")
                .containsExactlyInAnyOrder("old", "new");
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void withAHorizonSpansOlderThanItAreTooLate() throws Exception {
        open(TestConfigs.endless().build());
        long watermark = T0 + HORIZON;
        stage.watermark(watermark);
        add(span("t1", "too-old", T0 - 1));
        assertThat(deadLetterReasons()).containsExactly("too-late");
        add(span("t1", "just-in-time", T0));
        assertThat(deadLetterReasons()).isEmpty();
        stage.watermark(watermark + 1);
        assertThat(spanIds(closed())).containsExactly("just-in-time");
    }
}
