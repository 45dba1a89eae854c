package io.tracestitch.operators.invocation;

import static io.tracestitch.testing.Logs.report;
import static io.tracestitch.testing.Logs.request;
import static io.tracestitch.testing.Logs.start;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.KeyedCoStage;
import io.tracestitch.testing.Logs;
import io.tracestitch.testing.Spans;
import io.tracestitch.testing.TestConfigs;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The invocation stage: log lines folded into one invocation and sent to each trace whose spans carry
 * the request id, whichever came first, once per watermark however many lines arrived;
 * {@code logsWithoutSpan} only at the end of bounded input and only for request ids no span claimed;
 * no timers left once sent, and {@code expiredState} when the horizon expired an invocation whose
 * update was pending.
 */
class InvocationJoinFunctionTest {

    private static final long HORIZON = TestConfigs.HORIZON.toMillis();
    private static final long T0 = 1_732_400_000_000L;
    private static final long END_OF_INPUT = Long.MAX_VALUE;

    private KeyedCoStage<Tuple2<String, String>, LogFact, RequestFact, ContentInput> stage;

    @AfterEach
    void close() throws Exception {
        stage.close();
    }

    private void open(StitchConfig config) throws Exception {
        stage = Harnesses.invocationJoin(config);
    }

    private void log(LogFact line) throws Exception {
        stage.add1(line, line.timestampMs());
    }

    private void claim(RequestFact fact, long timestamp) throws Exception {
        stage.add2(fact, timestamp);
    }

    /** The updates sent since the last call, checking each one also told the resolver of its trace. */
    private List<ContentInput.InvocationUpdate> updates() {
        List<ContentInput.InvocationUpdate> updates = stage.drain().stream()
                .map(ContentInput.InvocationUpdate.class::cast).toList();
        List<ResolverInput> touches = stage.drainSide(InvocationJoinFunction.TOUCHES);
        assertThat(touches).allMatch(ResolverInput.ContentChanged.class::isInstance)
                .extracting(ResolverInput::traceId)
                .containsExactlyElementsOf(updates.stream().map(ContentInput.InvocationUpdate::traceId).toList());
        return updates;
    }

    @Test
    void linesBeforeTheSpanAreSentToItsTraceAtTheWatermarkAfterItArrives() throws Exception {
        open(TestConfigs.bounded().build());
        stage.watermark(T0);
        log(start("r1", T0 + 1));
        log(report("r1", T0 + 2, 92.5));
        stage.watermark(T0 + 10);
        assertThat(updates()).as("no trace to send it to yet").isEmpty();

        claim(request("r1", "t1"), T0 + 20);
        stage.watermark(T0 + 10); // the same watermark again: not a new one
        assertThat(updates()).isEmpty();
        stage.watermark(T0 + 11);
        assertThat(updates()).singleElement().satisfies(u -> {
            assertThat(u.traceId()).isEqualTo("t1");
            assertThat(u.tenant()).isEqualTo(Spans.TENANT);
            assertThat(u.invocation().requestId()).isEqualTo("r1");
            assertThat(u.invocation().durationMs()).isEqualTo(92.5);
        });
        assertThat(stage.eventTimeTimers()).isZero();
        assertThat(stage.stateEntries()).as("kept for later lines").isOne();
    }

    @Test
    void linesAfterTheSpanUpdateItsTraceAgain() throws Exception {
        open(TestConfigs.bounded().build());
        stage.watermark(T0);
        claim(request("r1", "t1"), T0);
        stage.watermark(T0 + 1);
        assertThat(updates()).singleElement().satisfies(u -> {
            assertThat(u.invocation().function()).as("the span's service, until a line names one")
                    .isEqualTo(Spans.service("t1"));
            assertThat(u.invocation().durationMs()).isNaN();
        });

        log(report("r1", T0 + 5, 40));
        stage.watermark(T0 + 6);
        assertThat(updates()).singleElement()
                .satisfies(u -> assertThat(u.invocation().durationMs()).isEqualTo(40));
        stage.watermark(T0 + 100);
        assertThat(updates()).as("nothing changed since").isEmpty();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void oneUpdatePerTraceAndWatermarkHoweverManyLines() throws Exception {
        open(TestConfigs.bounded().build());
        stage.watermark(T0);
        claim(request("r1", "t1"), T0);
        claim(request("r1", "t2"), T0); // two traces carry the same request id
        log(start("r1", T0 + 1));
        log(report("r1", T0 + 2, 10));
        log(report("r1", T0 + 2, 10));
        log(Logs.timeout("r1", T0 + 3));
        assertThat(stage.eventTimeTimers()).isOne();

        stage.watermark(T0 + 1);
        List<ContentInput.InvocationUpdate> sent = updates();
        assertThat(sent).extracting(ContentInput.InvocationUpdate::traceId).containsExactly("t1", "t2");
        assertThat(sent).allSatisfy(u -> assertThat(u.invocation().timedOut()).isTrue());
    }

    /** docs/stitching.md, L1: the log record's function, else the span's service, whatever came first. */
    @Test
    void theFunctionALineNamesWinsOverTheSpansServiceInEitherOrder() throws Exception {
        open(TestConfigs.bounded().build());
        stage.watermark(T0);
        claim(request("span-first", "t1"), T0);
        log(report("span-first", T0 + 1, 10));
        log(report("line-first", T0 + 1, 10));
        claim(request("line-first", "t2"), T0);
        log(Logs.reportWithoutFunction("no-function", T0 + 1, 10));
        claim(request("no-function", "t3"), T0);

        stage.watermark(T0 + 2);
        assertThat(updates()).extracting(u -> u.traceId() + ": " + u.invocation().function())
                .containsExactlyInAnyOrder("t1: " + Logs.FUNCTION, "t2: " + Logs.FUNCTION, "t3: svc-t3");
    }

    @Test
    void logsWithoutSpanAreCountedAtTheEndOfInputOnlyAndOncePerRequestId() throws Exception {
        open(TestConfigs.bounded().build());
        stage.watermark(T0);
        log(start("orphan", T0 + 1));
        log(report("orphan", T0 + 2, 10));
        log(start("claimed", T0 + 1));
        claim(request("claimed", "t1"), T0 + 3);
        claim(request("span-only", "t2"), T0 + 3);

        stage.watermark(T0 + 1_000_000_000L);
        updates();
        assertThat(stage.tally("logsWithoutSpan")).as("not before the end of input").isZero();

        stage.watermark(END_OF_INPUT);
        assertThat(stage.tally("logsWithoutSpan")).isOne();
        assertThat(updates()).as("never invented into a trace").isEmpty();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void withAHorizonLogsWithoutSpanAreNotWaitedFor() throws Exception {
        open(TestConfigs.endless().build());
        log(report("orphan", T0, 10));
        assertThat(stage.eventTimeTimers()).as("no end of input to wait for").isZero();
    }

    @Test
    void linesBehindTheWatermarkAreCountedLateAndStillUsed() throws Exception {
        open(TestConfigs.bounded().build());
        claim(request("r1", "t1"), T0);
        stage.watermark(T0 + 1_000);
        updates();
        log(report("r1", T0, 10));
        assertThat(stage.tally("lateRecords")).isOne();
        stage.watermark(T0 + 1_001);
        assertThat(updates()).singleElement().satisfies(u -> assertThat(u.invocation().durationMs()).isEqualTo(10));
    }

    @Test
    void anUpdateTimerFindingTheInvocationExpiredCountsItAndSendsNothing() throws Exception {
        open(TestConfigs.endless().build());
        stage.watermark(T0);
        stage.setStateClock(0);
        claim(request("r1", "t1"), T0);
        log(report("r1", T0, 10));
        stage.setStateClock(HORIZON);

        stage.watermark(T0 + 1);
        assertThat(stage.tally("expiredState")).isOne();
        assertThat(updates()).isEmpty();
        assertThat(stage.stateEntries()).isZero();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void stateLivesUntilTheHorizonNotAMillisecondLess() throws Exception {
        open(TestConfigs.endless().build());
        stage.watermark(T0);
        stage.setStateClock(0);
        claim(request("r1", "t1"), T0);
        stage.setStateClock(HORIZON - 1);
        stage.watermark(T0 + 1);
        assertThat(updates()).hasSize(1);
        assertThat(stage.tally("expiredState")).isZero();
    }
}
