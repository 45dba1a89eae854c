package io.tracestitch.operators.output;

import static io.tracestitch.testing.Plans.content;
import static io.tracestitch.testing.Plans.plan;
import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.PlanOutcome;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.KeyedStage;
import io.tracestitch.testing.TestConfigs;
import io.tracestitch.testing.TransactionLines;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The output stages together: Assemble transactions (keyed by transaction) completes each plan with
 * its content and renders its line, or skips it when a newer plan of the same transaction overtakes
 * it; Order lines (keyed by tenant) writes each tenant's lines in plan order. Whatever order the
 * content comes in, the lines form a valid changelog (docs/stitching.md C3), and once every plan is
 * written only each transaction's progress and each tenant's next plan number are left.
 */
class TransactionAssemblerFunctionTest {

    private static final long HORIZON = TestConfigs.HORIZON.toMillis();
    /** The stages do not look at stamps: plans and content come from timers and answers. */
    private static final long ANY_TIME = 1_732_400_000_000L;

    private KeyedStage<Tuple2<String, String>, AssemblyInput, PlanOutcome> stage;
    private KeyedStage<String, PlanOutcome, TransactionRevision> order;
    private final List<byte[]> written = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        stage.close();
        order.close();
    }

    private void open(StitchConfig config) throws Exception {
        open(config, LineOrderFunction.DEFAULT_PLAIN_BUDGET);
    }

    private void open(StitchConfig config, long plainBudget) throws Exception {
        stage = Harnesses.transactionAssembler(config);
        order = Harnesses.lineOrder(plainBudget);
    }

    private void openBounded() throws Exception {
        open(TestConfigs.bounded().build());
    }

    /** Sends one input to the assembler and what comes out of it on to the line order. */
    private void send(AssemblyInput input) throws Exception {
        stage.add(input, ANY_TIME);
        for (PlanOutcome outcome : stage.drain()) {
            order.add(outcome, ANY_TIME);
        }
    }

    /** Sends the plan and all its members' content. */
    private void sendComplete(TransactionPlan plan) throws Exception {
        send(plan);
        for (String member : plan.members()) {
            send(content(plan, member));
        }
    }

    /**
     * The lines written since the last call, as {@code "tx-a r2 [a, b]"}; each revision's id, number and
     * superseded ids must be its line's.
     */
    private List<String> lines() {
        List<byte[]> out = new ArrayList<>();
        for (TransactionRevision revision : order.drain()) {
            var line = TransactionLines.parse(revision.line());
            assertThat(revision.tenant()).isEqualTo(line.path("tenant").asText());
            assertThat(revision.transactionId()).isEqualTo(line.path("transactionId").asText());
            assertThat(revision.revision()).isEqualTo(line.path("revision").asInt());
            List<String> supersedes = new ArrayList<>();
            line.path("supersedes").forEach(id -> supersedes.add(id.asText()));
            assertThat(revision.supersedes()).containsExactlyElementsOf(supersedes);
            out.add(revision.line());
        }
        written.addAll(out);
        return out.stream().map(TransactionLines::describe).toList();
    }

    /** Nothing waits: only each transaction's progress and each tenant's next plan number are left. */
    private void assertEverythingWritten(int tenants, int transactions) {
        List<String> lines = TransactionLines.text(written);
        assertThat(Changelog.violations(lines)).as("every line so far, as a changelog").isEmpty();
        assertThat(stage.keysHolding("waiting-plan")).isZero();
        assertThat(stage.keysHolding("contents")).isZero();
        assertThat(stage.keysHolding("progress")).isEqualTo(transactions);
        assertThat(stage.stateEntries()).isEqualTo(transactions);
        assertThat(order.keysHolding("early")).isZero();
        assertThat(order.keysHolding("next-plan")).isEqualTo(tenants);
        assertThat(order.stateEntries()).isEqualTo(tenants);
        assertThat(stage.eventTimeTimers() + order.eventTimeTimers()).isZero();
    }

    /**
     * The forced interleaving that used to break the changelog: B's plan, then A's plan superseding B,
     * then A's content, then B's. A's line is ready first, but B's plan came first: B's line must be
     * written before A's, or a line for B would follow the line that superseded it.
     */
    @Test
    void aLineReadyBeforeAnEarlierPlansLineWaitsForItAndTheChangelogHolds() throws Exception {
        openBounded();
        sendComplete(plan(1, "tx-a", 1).members("a").build());
        assertThat(lines()).containsExactly("tx-a r1 [a]");

        TransactionPlan b = plan(2, "tx-b", 1).members("b").build();
        TransactionPlan a = plan(3, "tx-a", 2).members("a", "b").supersedes("tx-b").build();
        send(b);
        send(a);
        send(content(a, "a"));
        send(content(a, "b"));
        assertThat(lines()).as("A's line waits for plan 2").isEmpty();
        assertThat(order.keysHolding("early")).isOne();
        send(content(b, "b"));
        assertThat(lines()).containsExactly("tx-b r1 [b]", "tx-a r2 [a, b]");
        assertEverythingWritten(1, 2);
        assertThat(order.tally("revisionsOut")).isEqualTo(3);
        assertThat(stage.tally("transactionsOut")).isEqualTo(2);
    }

    /** The same plans, but B's content comes before A's plan: B's line, then A's superseding it. */
    @Test
    void aPlanCompleteBeforeTheSupersedingPlanIsWrittenFirst() throws Exception {
        openBounded();
        TransactionPlan b = plan(1, "tx-b", 1).members("b").build();
        TransactionPlan a = plan(2, "tx-a", 2).members("a", "b").supersedes("tx-b").build();
        send(b);
        send(content(b, "b"));
        send(a);
        send(content(a, "b"));
        send(content(a, "a"));
        assertThat(lines()).containsExactly("tx-b r1 [b]", "tx-a r2 [a, b]");
        assertEverythingWritten(1, 2);
    }

    @Test
    void contentMayComeBeforeItsPlan() throws Exception {
        openBounded();
        TransactionPlan x = plan(1, "tx-x", 1).members("x", "y").build();
        send(content(x, "y"));
        send(content(x, "x"));
        assertThat(lines()).isEmpty();
        send(x);
        assertThat(lines()).containsExactly("tx-x r1 [x, y]");
        assertEverythingWritten(1, 1);
    }

    @Test
    void aSecondRevisionArrivingBeforeTheFirstsContentReplacesIt() throws Exception {
        openBounded();
        TransactionPlan first = plan(1, "tx-x", 1).members("x").build();
        TransactionPlan second = plan(2, "tx-x", 2).members("x", "y").build();
        send(first);
        send(second);
        send(content(first, "x"));
        assertThat(lines()).isEmpty();
        send(content(second, "y"));
        send(content(second, "x"));
        assertThat(lines()).containsExactly("tx-x r2 [x, y]");
        assertEverythingWritten(1, 1);
    }

    @Test
    void contentInReverseMemberOrderIsWrittenOnceComplete() throws Exception {
        openBounded();
        TransactionPlan plan = plan(1, "tx-a", 1).members("a", "b", "c").build();
        send(plan);
        send(content(plan, "c"));
        send(content(plan, "b"));
        assertThat(lines()).isEmpty();
        send(content(plan, "a"));
        List<String> lines = lines();
        assertThat(lines).containsExactly("tx-a r1 [a, b, c]");
        assertThat(TransactionLines.parse(written.get(0)).path("spanCount").asInt()).isEqualTo(3);
        assertEverythingWritten(1, 1);
    }

    @Test
    void aHeadPlanWaitingForContentHoldsBackLaterCompletePlansUntilItCompletes() throws Exception {
        openBounded();
        TransactionPlan x = plan(1, "tx-x", 1).members("x").build();
        send(x);
        sendComplete(plan(2, "tx-y", 1).members("y").build());
        sendComplete(plan(3, "tx-z", 1).members("z").build());
        assertThat(lines()).isEmpty();
        assertThat(order.keysHolding("early")).as("the later lines wait").isOne();

        send(content(x, "x"));
        assertThat(lines()).containsExactly("tx-x r1 [x]", "tx-y r1 [y]", "tx-z r1 [z]");
        assertEverythingWritten(1, 3);
    }

    @Test
    void aSkippedPlanDoesNotHoldBackLaterPlans() throws Exception {
        openBounded();
        send(plan(1, "tx-x", 1).members("x").build());
        TransactionPlan y = plan(2, "tx-y", 1).members("y").build();
        TransactionPlan x2 = plan(3, "tx-x", 2).members("x").build(); // plan 1 is skipped
        send(y);
        send(x2);
        send(content(y, "y"));
        assertThat(lines()).containsExactly("tx-y r1 [y]");
        send(content(x2, "x"));
        assertThat(lines()).containsExactly("tx-x r2 [x]");

        sendComplete(plan(4, "tx-w", 1).members("w").build());
        assertThat(lines()).containsExactly("tx-w r1 [w]");
        assertEverythingWritten(1, 3);
    }

    /**
     * Plans of one tenant arrive in order; content of any tenant at any time. Each tenant's lines keep
     * its plan order, and come out byte for byte as assembled whether they waited as they were, all
     * compressed (no plain budget) or some of each (a budget of about one line).
     */
    @Test
    void manyTenantsInterleavedEachWriteInTheirOwnPlanOrder() throws Exception {
        List<String> tenants = List.of("tenant-a", "tenant-b", "tenant-c");
        Map<String, List<AssemblyInput>> plansOf = new LinkedHashMap<>();
        List<AssemblyInput> contents = new ArrayList<>();
        for (String tenant : tenants) {
            List<AssemblyInput> plans = new ArrayList<>();
            for (int seq = 1; seq <= 4; seq++) {
                TransactionPlan p = plan(seq, "tx-" + tenant + "-" + seq, 1).tenant(tenant)
                        .members(tenant + "-m" + seq, tenant + "-n" + seq).build();
                plans.add(p);
                for (String member : p.members()) {
                    contents.add(content(p, member));
                }
            }
            plansOf.put(tenant, plans);
        }
        long[] plainBudgets = {LineOrderFunction.DEFAULT_PLAIN_BUDGET, 0, 400};
        Random random = new Random(20261130);
        List<String> firstRound = null;
        for (int round = 0; round < 21; round++) {
            if (round > 0) {
                stage.close();
                order.close();
            }
            open(TestConfigs.bounded().build(), plainBudgets[round % 3]); // fresh stages per order
            written.clear();
            for (AssemblyInput input : interleave(plansOf, contents, random)) {
                send(input);
            }
            lines();
            List<String> sorted = TransactionLines.text(written).stream().sorted().toList();
            if (firstRound == null) {
                firstRound = sorted;
            }
            assertThat(sorted).as("round %d: the same bytes as round 0", round).isEqualTo(firstRound);
            Map<String, List<Long>> seqsWritten = new LinkedHashMap<>();
            for (byte[] line : written) {
                var record = TransactionLines.parse(line);
                String id = record.path("transactionId").asText();
                seqsWritten.computeIfAbsent(record.path("tenant").asText(), t -> new ArrayList<>())
                        .add(Long.parseLong(id.substring(id.lastIndexOf('-') + 1)));
            }
            for (String tenant : tenants) {
                assertThat(seqsWritten.get(tenant)).as("round %d, %s", round, tenant).containsExactly(1L, 2L, 3L, 4L);
            }
            assertEverythingWritten(tenants.size(), 12);
        }
    }

    /** A random merge of the content and every tenant's plans, each tenant's plans kept in order. */
    private static List<AssemblyInput> interleave(Map<String, List<AssemblyInput>> plansOf,
            List<AssemblyInput> contents, Random random) {
        List<List<AssemblyInput>> queues = new ArrayList<>();
        plansOf.values().forEach(plans -> queues.add(new ArrayList<>(plans)));
        List<AssemblyInput> shuffled = new ArrayList<>(contents);
        Collections.shuffle(shuffled, random);
        queues.add(shuffled);
        List<AssemblyInput> merged = new ArrayList<>();
        while (!queues.isEmpty()) {
            List<AssemblyInput> queue = queues.get(random.nextInt(queues.size()));
            merged.add(queue.remove(0));
            if (queue.isEmpty()) {
                queues.remove(queue);
            }
        }
        return merged;
    }

    /** A waiting plan and its content never expire: the line order waits for every plan's outcome, however long. */
    @Test
    void withAHorizonAWaitingPlanIsWrittenHoweverLongItsContentTakes() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        TransactionPlan plan = plan(1, "tx-a-1", 1).members("a", "b").build();
        send(plan);
        send(content(plan, "a"));
        stage.setStateClock(10 * HORIZON);
        send(content(plan, "b"));
        assertThat(lines()).containsExactly("tx-a-1 r1 [a, b]");
        assertEverythingWritten(1, 1);
    }

    /**
     * A transaction's progress is kept only for skipped content and {@code transactionsOut}: once it
     * expired, a revision of a transaction quiet for the horizon is written as always and counts the
     * transaction again.
     */
    @Test
    void withAHorizonTheLastWrittenRevisionExpiresAndOnlyTheCountNoticesIt() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        sendComplete(plan(1, "tx-a-1", 1).members("a").build());
        stage.setStateClock(HORIZON - 1);
        sendComplete(plan(2, "tx-a-1", 2).members("a").build());
        assertThat(stage.tally("transactionsOut")).isOne();

        stage.setStateClock(HORIZON - 1 + HORIZON);
        sendComplete(plan(3, "tx-a-1", 3).members("a", "b").build());
        assertThat(lines()).containsExactly("tx-a-1 r1 [a]", "tx-a-1 r2 [a]", "tx-a-1 r3 [a, b]");
        assertThat(order.tally("revisionsOut")).isEqualTo(3);
        assertThat(stage.tally("transactionsOut")).isEqualTo(2);
        assertEverythingWritten(1, 1);
    }
}
