package io.tracestitch.operators.content;

import static io.tracestitch.testing.Spans.TENANT;
import static io.tracestitch.testing.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.KeyedStage;
import io.tracestitch.testing.Spans;
import io.tracestitch.testing.TestConfigs;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The content store: a request is answered once the watermark reaches its fence and never before,
 * every waiting request at once and each once; later closes of a trace are merged; answered requests
 * leave no state or timer; with a horizon, content kept while it is read, and expired content answered
 * empty and counted as {@code expiredState}.
 */
class ContentStoreFunctionTest {

    private static final long HORIZON = TestConfigs.HORIZON.toMillis();
    private static final long T0 = 1_732_400_000_000L;
    private static final long CLOSED_AT = T0 + TestConfigs.GAP;
    /** The resolver's watermark when it planned: the fence of its requests. */
    private static final long FENCE = CLOSED_AT + 5_000;

    private KeyedStage<Tuple2<String, String>, ContentInput, AssemblyInput> stage;

    @AfterEach
    void close() throws Exception {
        stage.close();
    }

    private void open(StitchConfig config) throws Exception {
        stage = Harnesses.contentStore(config);
    }

    private void closeTrace(TraceDigest digest) throws Exception {
        stage.add(new ContentInput.ClosedSpans(TENANT, digest), CLOSED_AT);
    }

    private void request(String traceId, long seq, long fence) throws Exception {
        stage.add(new ContentInput.ContentRequest(TENANT, traceId, "tx-" + traceId, seq, fence), fence);
    }

    private List<MemberContent> answers() {
        return stage.drain().stream().map(MemberContent.class::cast).toList();
    }

    @Test
    void answersOnlyOnceTheWatermarkReachesTheFence() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace(Spans.digest("t1", span("t1", "a", T0), span("t1", "b", T0)));
        stage.watermark(CLOSED_AT);
        request("t1", 1, FENCE);

        stage.watermark(FENCE - 1);
        assertThat(answers()).as("never before the fence").isEmpty();
        stage.watermark(FENCE);
        assertThat(answers()).singleElement().satisfies(answer -> {
            assertThat(answer.tenant()).isEqualTo(TENANT);
            assertThat(answer.seq()).isOne();
            assertThat(answer.traceId()).isEqualTo("t1");
            assertThat(Spans.spanIds(answer.digest())).containsExactly("a", "b");
        });
        assertThat(stage.keysHolding("requests")).as("answered requests are removed").isZero();
        assertThat(stage.stateEntries()).as("the content only").isOne();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void aRequestWhoseFenceIsAlreadyPassedIsAnsweredAtTheNextWatermark() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace(Spans.digestOfOneSpan("t1", T0));
        stage.watermark(FENCE + 100);
        request("t1", 1, FENCE);
        assertThat(answers()).isEmpty();
        stage.watermark(FENCE + 101);
        assertThat(answers()).hasSize(1);
    }

    @Test
    void answersEveryWaitingRequestAtOnceAndEachOnce() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace(Spans.digestOfOneSpan("t1", T0));
        request("t1", 1, FENCE);
        request("t1", 2, FENCE + 10);
        request("t1", 3, FENCE + 20);
        assertThat(stage.eventTimeTimers()).isEqualTo(3);

        stage.watermark(FENCE + 10);
        assertThat(answers()).extracting(MemberContent::seq).containsExactly(1L, 2L);
        assertThat(stage.keysHolding("requests")).as("plan 3 still waits").isOne();
        stage.watermark(FENCE + 19);
        assertThat(answers()).isEmpty();
        stage.watermark(FENCE + 20);
        assertThat(answers()).extracting(MemberContent::seq).containsExactly(3L);
        stage.watermark(FENCE + 1_000);
        assertThat(answers()).isEmpty();
        assertThat(stage.keysHolding("requests")).isZero();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void aLaterCloseOfTheTraceIsMergedSpansUnionedAndRefusalsCumulative() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace(Spans.digest("t1", span("t1", "a", T0), span("t1", "b", T0 + 1)).withSpansRefused(1));
        closeTrace(Spans.digest("t1", span("t1", "b", T0 + 1), span("t1", "c", T0 + 2)).withSpansRefused(3));
        closeTrace(Spans.digest("t1").withSpansRefused(2)); // no spans: only refusals, in an older count
        request("t1", 1, FENCE);
        stage.watermark(FENCE);
        assertThat(answers()).singleElement().satisfies(answer -> {
            assertThat(Spans.spanIds(answer.digest())).containsExactly("a", "b", "c");
            assertThat(answer.digest().spanCount()).isEqualTo(3);
            assertThat(answer.digest().spansRefused()).isEqualTo(3);
        });
    }

    @Test
    void theTracesInvocationsComeWithItsSpansTheLatestOfEach() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace(Spans.digestOfOneSpan("t1", T0));
        Invocation r1 = Invocation.of("r1", "checkout");
        stage.add(new ContentInput.InvocationUpdate(TENANT, "t1", r1), CLOSED_AT + 1);
        Invocation r1Later = r1.merge(new Invocation("r1", "checkout", true, 100, Double.NaN, 20, 21, 512, 60,
                false, "success", null, true));
        stage.add(new ContentInput.InvocationUpdate(TENANT, "t1", r1Later), CLOSED_AT + 2);
        stage.add(new ContentInput.InvocationUpdate(TENANT, "t1", Invocation.of("r2", "checkout")), CLOSED_AT + 2);
        request("t1", 1, FENCE);
        stage.watermark(FENCE);
        assertThat(answers()).singleElement().satisfies(answer ->
                assertThat(answer.invocations()).containsExactly(r1Later, Invocation.of("r2", "checkout")));
    }

    @Test
    void expiredContentIsAnsweredEmptyAndCounted() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        closeTrace(Spans.digestOfOneSpan("t1", T0));
        stage.add(new ContentInput.InvocationUpdate(TENANT, "t1", Invocation.of("r1", "checkout")), CLOSED_AT);
        stage.setStateClock(HORIZON);
        request("t1", 7, FENCE);
        stage.setStateClock(10 * HORIZON); // requests never expire: the assembler waits for every answer

        stage.watermark(FENCE);
        assertThat(answers()).singleElement().satisfies(answer -> {
            assertThat(answer.seq()).isEqualTo(7);
            assertThat(answer.traceId()).isEqualTo("t1");
            assertThat(answer.digest().traceId()).isEqualTo("t1");
            assertThat(answer.digest().spanCount()).isZero();
            assertThat(answer.invocations()).isEmpty();
        });
        assertThat(stage.tally("expiredState")).isOne();
        assertThat(stage.stateEntries()).isZero();
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void contentIsKeptWhileItIsRead() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        closeTrace(Spans.digestOfOneSpan("t1", T0));
        request("t1", 1, FENCE);
        stage.setStateClock(HORIZON - 1);
        stage.watermark(FENCE);
        request("t1", 2, FENCE + 1);
        stage.setStateClock(2 * HORIZON - 2);
        stage.watermark(FENCE + 1);
        assertThat(answers()).extracting(answer -> answer.digest().spanCount()).containsExactly(1, 1);
        assertThat(stage.tally("expiredState")).isZero();
    }
}
