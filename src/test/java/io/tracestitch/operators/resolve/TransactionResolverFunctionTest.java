package io.tracestitch.operators.resolve;

import static io.tracestitch.testing.Spans.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.Hops;
import io.tracestitch.testing.KeyedStage;
import io.tracestitch.testing.Plans;
import io.tracestitch.testing.TestConfigs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The resolver around {@link TransactionResolver}: when it acts (an input stamped t once the watermark
 * reaches t; a transaction with an unmatched receive at its last event + {@code max-hop-delay}), what it
 * plans (numbered per tenant, ids plain or numbered), the fences of its content requests, and its state:
 * pending work gone once done, and with a horizon, what is left after trace and transaction nodes expire.
 */
class TransactionResolverFunctionTest {

    private static final long GAP = TestConfigs.GAP;
    private static final long MAX_HOP_DELAY = TestConfigs.MAX_HOP_DELAY;
    private static final long HORIZON = TestConfigs.HORIZON.toMillis();
    /** The last span of the first trace ends here. */
    private static final long T0 = 1_732_400_000_000L;
    /** The trace stage closes a trace ended at T0 and stamps what it sends: the resolver's inputs' stamp. */
    private static final long CLOSED = T0 + GAP;
    private static final JoinKey M1 = Hops.key("m1");
    /** The state a tenant keeps for good: its plan and id counters. */
    private static final String COUNTERS = "counters";

    private KeyedStage<String, ResolverInput, AssemblyInput> stage;

    @AfterEach
    void close() throws Exception {
        stage.close();
    }

    private void open(StitchConfig config) throws Exception {
        stage = Harnesses.resolver(config);
    }

    /** The trace stage closed {@code traceId} of {@code tenant}, whose last span ended GAP before {@code stamp}. */
    private void closeTrace(String tenant, String traceId, long stamp) throws Exception {
        stage.add(new ResolverInput.TraceClosed(tenant, traceId, stamp - GAP, new String[0]), stamp);
    }

    private void closeTrace(String traceId, long stamp) throws Exception {
        closeTrace(TENANT, traceId, stamp);
    }

    /** The hop stage says {@code traceId} received {@code key} from these publishers (none yet: unmatched). */
    private void received(String traceId, JoinKey key, long stamp, String... publishers) throws Exception {
        stage.add(new ResolverInput.ProducersFound(TENANT, traceId, key, publishers), stamp);
    }

    private List<TransactionPlan> plans() {
        return stage.drain().stream().map(TransactionPlan.class::cast).toList();
    }

    private List<String> planned() {
        return plans().stream().map(Plans::describe).toList();
    }

    /** Content requests as {@code "t1 #1 @fence"}. */
    private List<String> requests() {
        return stage.drainSide(TransactionResolverFunction.CONTENT_REQUESTS).stream()
                .map(ContentInput.ContentRequest.class::cast)
                .map(r -> r.traceId() + " #" + r.seq() + " @" + r.fence())
                .toList();
    }

    private void assertPendingWorkDone() {
        for (String pending : List.of("pending-resolve", "pending-content", "dirty", "scheduled")) {
            assertThat(stage.keysHolding(pending)).as(pending).isZero();
        }
        assertThat(stage.eventTimeTimers()).isZero();
    }

    @Test
    void anInputIsActedOnOnlyOnceTheWatermarkReachesItsStamp() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t1", CLOSED);
        stage.watermark(CLOSED - 1);
        assertThat(planned()).isEmpty();
        assertThat(requests()).isEmpty();

        stage.watermark(CLOSED);
        assertThat(planned()).containsExactly("#1 tx-t1 r1 [t1]");
        assertThat(requests()).containsExactly("t1 #1 @" + CLOSED);
        assertPendingWorkDone();
        assertThat(stage.keysHolding("traces")).isOne();
        assertThat(stage.keysHolding("transactions")).isOne();
        assertThat(stage.keysHolding(COUNTERS)).isOne();
        assertThat(stage.stateEntries()).as("nodes and counters only").isEqualTo(3);
    }

    @Test
    void contentRequestsAskEveryMemberAndCarryThePlanningWatermarkAsFence() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t0", CLOSED);
        closeTrace("t1", CLOSED);
        received("t1", M1, CLOSED, "t0");
        long planningWatermark = CLOSED + 777;
        stage.watermark(planningWatermark);
        assertThat(planned()).containsExactly("#1 tx-t0 r1 [t0, t1]");
        assertThat(requests()).containsExactly("t0 #1 @" + planningWatermark, "t1 #1 @" + planningWatermark);
    }

    @Test
    void anEarlierInputArrivingLaterIsActedOnAtItsOwnStamp() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t2", CLOSED + 100);
        closeTrace("t1", CLOSED);
        stage.watermark(CLOSED);
        assertThat(planned()).containsExactly("#1 tx-t1 r1 [t1]");
        stage.watermark(CLOSED + 99);
        assertThat(planned()).isEmpty();
        stage.watermark(CLOSED + 100);
        assertThat(planned()).containsExactly("#2 tx-t2 r1 [t2]");
        assertPendingWorkDone();
    }

    @Test
    void anInputBehindTheWatermarkIsActedOnAtTheNextWatermark() throws Exception {
        open(TestConfigs.bounded().build());
        stage.watermark(CLOSED + 1_000);
        closeTrace("t1", CLOSED); // late: the trace stage reopened and closed it again
        assertThat(planned()).isEmpty();
        stage.watermark(CLOSED + 1_001);
        assertThat(planned()).containsExactly("#1 tx-t1 r1 [t1]");
        assertThat(requests()).containsExactly("t1 #1 @" + (CLOSED + 1_001));
        assertPendingWorkDone();
    }

    /** docs/stitching.md, E3. */
    @Test
    void aTransactionWithAnUnmatchedReceiveIsPlannedMaxHopDelayAfterItsLastEventNotAMillisecondBefore()
            throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t1", CLOSED);
        received("t1", M1, CLOSED);
        long ready = T0 + MAX_HOP_DELAY;
        stage.watermark(CLOSED);
        stage.watermark(ready - 1);
        assertThat(planned()).isEmpty();
        assertThat(stage.keysHolding("dirty")).as("waiting").isOne();

        stage.watermark(ready);
        List<TransactionPlan> plans = plans();
        assertThat(plans).extracting(Plans::describe).containsExactly("#1 tx-t1 r1 [t1]");
        assertThat(plans.get(0).unmatchedMessages()).containsExactly(M1);
        assertThat(requests()).containsExactly("t1 #1 @" + ready);
        assertPendingWorkDone();
    }

    @Test
    void aPublisherSeenWithinTheDelayJoinsBeforeTheFirstPlan() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t1", CLOSED);
        received("t1", M1, CLOSED);
        stage.watermark(CLOSED);
        closeTrace("t0", CLOSED + 1_000);
        received("t1", M1, CLOSED + 1_000, "t0");
        stage.watermark(CLOSED + 1_000);
        assertThat(planned()).as("t1's transaction, made first, keeps its id").containsExactly("#1 tx-t1 r1 [t0, t1]");
        assertPendingWorkDone();
    }

    @Test
    void aLateProducerMergesTwoWrittenTransactionsUnderTheNextNumber() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t0", CLOSED);
        closeTrace("t1", CLOSED);
        received("t1", M1, CLOSED);
        stage.watermark(T0 + MAX_HOP_DELAY);
        assertThat(planned()).containsExactly("#1 tx-t0 r1 [t0]", "#2 tx-t1 r1 [t1]");

        long late = T0 + 2 * MAX_HOP_DELAY;
        received("t1", M1, late, "t0");
        stage.watermark(late);
        assertThat(planned()).containsExactly("#3 tx-t0 r2 [t0, t1] supersedes [tx-t1]");
        requests();
        assertPendingWorkDone();
        assertThat(stage.keysHolding("transactions")).isOne();
    }

    @Test
    void aContentChangeOrACappedKeyMakesANewRevisionOfTheSameMembers() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t1", CLOSED);
        stage.watermark(CLOSED);
        stage.add(new ResolverInput.ContentChanged(TENANT, "t1"), CLOSED + 10);
        stage.watermark(CLOSED + 10);
        assertThat(planned()).containsExactly("#1 tx-t1 r1 [t1]", "#2 tx-t1 r2 [t1]");

        stage.add(new ResolverInput.KeyCapped(TENANT, "t1", M1), CLOSED + 20);
        stage.watermark(CLOSED + 20);
        assertThat(plans()).singleElement().satisfies(plan -> {
            assertThat(Plans.describe(plan)).isEqualTo("#3 tx-t1 r3 [t1]");
            assertThat(plan.cappedKeys()).containsExactly(M1);
        });
        assertPendingWorkDone();
    }

    @Test
    void planNumbersIncreasePerTenantAndTenantsAreApart() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("a", "t1", CLOSED);
        closeTrace("b", "t3", CLOSED + 5);
        closeTrace("a", "t2", CLOSED + 10);
        stage.watermark(CLOSED + 10);
        assertThat(plans()).extracting(plan -> plan.tenant() + " #" + plan.seq() + " " + plan.transactionId())
                .containsExactlyInAnyOrder("a #1 tx-t1", "a #2 tx-t2", "b #1 tx-t3");
        assertThat(stage.keysHolding(COUNTERS)).isEqualTo(2);
    }

    @Test
    void withoutAHorizonIdsArePlainTraceIds() throws Exception {
        open(TestConfigs.bounded().build());
        closeTrace("t1", CLOSED);
        closeTrace("t2", CLOSED);
        stage.watermark(CLOSED);
        assertThat(plans()).extracting(TransactionPlan::transactionId).containsExactly("tx-t1", "tx-t2");
    }

    @Test
    void withAHorizonIdsAreNumbered() throws Exception {
        open(TestConfigs.endless().build());
        closeTrace("t1", CLOSED);
        closeTrace("t2", CLOSED);
        stage.watermark(CLOSED);
        assertThat(plans()).extracting(TransactionPlan::transactionId).containsExactly("tx-t1-1", "tx-t2-2");
    }

    @Test
    void aTraceBackAfterItsNodesExpiredGetsAnIdNeverUsedBefore() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        closeTrace("t1", CLOSED);
        stage.watermark(CLOSED);
        assertThat(planned()).containsExactly("#1 tx-t1-1 r1 [t1]");

        stage.setStateClock(HORIZON);
        long revisedLater = CLOSED + 10 * GAP;
        closeTrace("t1", revisedLater);
        stage.watermark(revisedLater);
        assertThat(planned()).containsExactly("#2 tx-t1-2 r1 [t1]");
        assertPendingWorkDone();
    }

    @Test
    void nodesAreKeptWhileTheyAreReadNotOnlyWritten() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        closeTrace("t0", CLOSED);
        stage.watermark(CLOSED);
        stage.setStateClock(HORIZON - 1);
        closeTrace("t1", CLOSED + 1);
        received("t1", M1, CLOSED + 1, "t0"); // reads t0's nodes to join its transaction
        stage.watermark(CLOSED + 1);
        stage.setStateClock(2 * HORIZON - 2);
        stage.add(new ResolverInput.ContentChanged(TENANT, "t0"), CLOSED + 2);
        stage.watermark(CLOSED + 2);
        assertThat(planned()).containsExactly(
                "#1 tx-t0-1 r1 [t0]", "#2 tx-t0-1 r2 [t0, t1]", "#3 tx-t0-1 r3 [t0, t1]");
    }

    @Test
    void planNumbersContinueAfterAnExpiredTransactionIsSkipped() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        closeTrace("t1", CLOSED);
        closeTrace("t2", CLOSED);
        received("t2", M1, CLOSED); // unmatched: t2 waits max-hop-delay
        stage.watermark(CLOSED);
        assertThat(planned()).containsExactly("#1 tx-t1-1 r1 [t1]");

        stage.setStateClock(HORIZON); // everything expires before t2's transaction is ready
        stage.watermark(T0 + MAX_HOP_DELAY);
        assertThat(planned()).as("nothing left of it to plan").isEmpty();
        assertThat(requests()).containsExactly("t1 #1 @" + CLOSED);
        assertPendingWorkDone();

        closeTrace("t3", T0 + MAX_HOP_DELAY + 1);
        stage.watermark(T0 + MAX_HOP_DELAY + 1);
        assertThat(planned()).containsExactly("#2 tx-t3-3 r1 [t3]");
    }

    /**
     * Pending work does not expire, but the nodes it refers to do: work whose trace node expired before
     * the watermark reached it cannot be done. It must be counted, not vanish silently.
     */
    @Test
    void pendingWorkWhoseTraceExpiredBeforeTheWatermarkCameIsCounted() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        closeTrace("t1", CLOSED);
        stage.setStateClock(HORIZON); // the watermark stalled for longer than the horizon
        stage.watermark(CLOSED);
        assertThat(planned()).isEmpty();
        assertThat(stage.tally("expiredState")).isOne();
        assertPendingWorkDone();
    }
}
