package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.KafkaBrokerExtension;
import io.tracestitch.testing.KafkaTopics;
import io.tracestitch.testing.ReferenceStitcher;
import io.tracestitch.testing.TransactionLines;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} interrupted mid-stream, on a real broker: a TaskManager lost (the job restarts from
 * its last checkpoint) and a stop with a savepoint (a new job resumes from it). Each time the
 * committed transactions topic must still be exactly the world's transactions as docs/stitching.md
 * defines them, with no revision written twice and no line after its tombstone, and the records of
 * the aborted transactions must be visible to a read_uncommitted reader: proof that the
 * interruption really cut an open transaction.
 */
class KafkaRecoveryTest {

    /**
     * Its own cluster: one TaskManager of two slots, so the job's every task is on it. The test
     * that kills it starts a second one first, where the job restarts.
     */
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final long TIMEOUT_SECONDS = 180;
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @Test
    void aLostTaskManagerRestartsFromTheLastCheckpointAndTheTopicStaysExact(@InjectMiniCluster MiniCluster cluster,
            @TempDir Path dir) throws Exception {
        Topics topics = Topics.named("lost-tm");
        List<String> world = produceWorld(topics, 41);
        JobClient job = StreamingRun.start(config(dir, topics, true), null);

        awaitCommittedOutput(job, topics);
        cluster.startTaskManager();
        while (cluster.requestClusterOverview().get().getNumTaskManagersConnected() < 2) {
            Thread.sleep(50);
        }
        // Kill while a Kafka transaction holds records, or there is nothing for the restart to abort.
        while (KafkaTopics.readUncommitted(KAFKA.bootstrapServers(), topics.output()).size()
                <= KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output()).size()) {
            assertThat(job.getJobStatus().get()).as("the job is still running: make the world bigger")
                    .isEqualTo(JobStatus.RUNNING);
            Thread.sleep(20);
        }
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        job.getJobExecutionResult().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        assertExact(topics, world);
    }

    /**
     * Savepoints are for endless jobs, so this one is: it stops with a savepoint mid-stream, a new
     * job resumes from it, and a span far later in event time on every partition then carries the
     * watermark past the world, as new traffic would.
     */
    @Test
    void aStopWithSavepointAndANewJobFromItGiveTheExactTopic(@TempDir Path dir) throws Exception {
        Topics topics = Topics.named("savepoint");
        List<String> world = produceWorld(topics, 43);
        RunConfig config = config(dir, topics, false);
        JobClient first = StreamingRun.start(config, null);

        awaitCommittedOutput(first, topics);
        String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        int committedAtStop = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output()).size();

        JobClient second = StreamingRun.start(config, savepoint);
        try {
            KafkaTopics.produce(KAFKA.bootstrapServers(), topics.input(), 3, KafkaTopics.utf8(flushLines(world)));
            List<FinalView.Expected> expected = ReferenceStitcher.expected(world);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            List<String> differences = differences(topics, expected);
            while (!differences.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                differences = differences(topics, expected);
            }
            assertThat(differences).as("compacted topic against the rules").isEmpty();
        } finally {
            second.cancel().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        List<KafkaTopics.Read> committed = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output());
        assertThat(committed.size()).as("the second job wrote on").isGreaterThan(committedAtStop);
        assertThat(KafkaTopics.changelogViolations(committed)).as("the transactions topic as a changelog").isEmpty();
    }

    /** The tenant of the flushing spans, which the world does not have. */
    private static final String FLUSH_TENANT = "999999999999";

    /** One span per partition, a day after the world's last: every partition's watermark passes the world. */
    private static List<String> flushLines(List<String> world) {
        double last = world.stream().filter(line -> line.contains("\"endMs\""))
                .map(line -> TransactionLines.parse(line.getBytes(StandardCharsets.UTF_8)).path("endMs"))
                .filter(JsonNode::isNumber).mapToDouble(JsonNode::asDouble).max().orElseThrow();
        List<String> lines = new ArrayList<>();
        for (int partition = 0; partition < 3; partition++) {
            double end = last + 86_400_000d + partition;
            lines.add("{\"type\":\"span\",\"tenant\":\"" + FLUSH_TENANT + "\",\"traceId\":\"f1a5" + partition
                    + "\",\"spanId\":\"f1a5\",\"service\":\"flush\",\"name\":\"flush\",\"kind\":\"server\","
                    + "\"startMs\":" + end + ",\"endMs\":" + end + "}");
        }
        return lines;
    }

    /** The committed topic compacted, without the flushing tenant, against the expected transactions. */
    private static List<String> differences(Topics topics, List<FinalView.Expected> expected) {
        List<String> lines = KafkaTopics.compacted(KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output()))
                .values().stream().filter(line -> !line.contains("\"tenant\":\"" + FLUSH_TENANT + "\"")).toList();
        return FinalView.of(new ArrayList<>(lines)).differences(expected);
    }

    private record Topics(String input, String output, String deadLetters) {
        static Topics named(String name) {
            Topics topics = new Topics("in-" + name, "transactions-" + name, "dead-letters-" + name);
            KAFKA.createTopic(topics.input(), 3);
            KAFKA.createTopic(topics.output(), 3);
            KAFKA.createTopic(topics.deadLetters(), 1);
            return topics;
        }
    }

    /** A world big enough to be mid-stream when the output first commits, produced in late order. */
    private static List<String> produceWorld(Topics topics, long seed) {
        List<String> lines = new ShopSimulator(ShopSimulator.Options.defaults().withSeed(seed)
                .withTenants(List.of("111111111111", "222222222222", "333333333333")).withRequestsPerTenant(300)
                .withOrder(ShopSimulator.Order.LATE)).lines();
        KafkaTopics.produce(KAFKA.bootstrapServers(), topics.input(), 3, KafkaTopics.utf8(lines));
        return lines;
    }

    /** Waits until some output is committed while the job still runs: the interruption comes mid-stream. */
    private static void awaitCommittedOutput(JobClient job, Topics topics) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output()).isEmpty()) {
            assertThat(System.nanoTime()).as("committed output within the timeout").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(job.getJobStatus().get()).as("the job is still running: make the world bigger")
                .isEqualTo(JobStatus.RUNNING);
    }

    private static void assertExact(Topics topics, List<String> world) {
        List<KafkaTopics.Read> committed = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output());
        assertThat(KafkaTopics.changelogViolations(committed)).as("the transactions topic as a changelog").isEmpty();
        FinalView view = FinalView.of(new ArrayList<>(KafkaTopics.compacted(committed).values()));
        assertThat(view.differences(ReferenceStitcher.expected(world))).as("compacted topic against the rules").isEmpty();
        assertThat(KafkaTopics.readUncommitted(KAFKA.bootstrapServers(), topics.output()).size())
                .as("records of aborted transactions (read_uncommitted sees them)").isGreaterThan(committed.size());
    }

    private static RunConfig config(Path dir, Topics topics, boolean bounded) throws Exception {
        return KAFKA.runConfig(dir, Map.of(
                "input.kafka.topics", topics.input(),
                "input.kafka.group-id", topics.input(),
                "input.kafka.start", "earliest",
                "input.bounded", Boolean.toString(bounded),
                "output.kafka.topic", topics.output(),
                "output.kafka.dead-letter-topic", topics.deadLetters(),
                "checkpoint.interval", "300ms"));
    }
}
