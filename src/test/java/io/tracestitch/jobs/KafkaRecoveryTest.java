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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} interrupted mid-stream, on a real broker: a TaskManager lost (the job restarts from
 * its last checkpoint) and a stop with a savepoint (a new job resumes from it). Each time the
 * committed transactions topic must still be exactly the world's transactions as docs/stitching.md
 * defines them, with no revision written twice and no line after its tombstone. The lost
 * TaskManager must show in the job's exception history: proof that the job really restarted. (Whether
 * a Kafka transaction with records was open at the kill depends on where it falls between a
 * checkpoint and its commit, so the test does not require aborted records.)
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
            @InjectClusterRESTAddress URI rest, @TempDir Path dir) throws Exception {
        Topics topics = Topics.named("lost-tm");
        List<String> world = produceWorld(topics, 41);
        JobClient job = StreamingRun.start(config(dir, topics, true, "300ms"), null);
        awaitOutput(job, () -> !KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output()).isEmpty(),
                "output committed");
        cluster.startTaskManager();
        while (cluster.requestClusterOverview().get().getNumTaskManagersConnected() < 2) {
            Thread.sleep(50);
        }
        cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
        job.getJobExecutionResult().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        HttpResponse<String> exceptions = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                rest.resolve("/jobs/" + job.getJobID() + "/exceptions")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(TransactionLines.parse(exceptions.body().getBytes(StandardCharsets.UTF_8))
                .path("exceptionHistory").path("entries").size())
                .as("failures the job restarted after (the lost TaskManager)").isPositive();
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
        RunConfig config = config(dir, topics, false, "300ms");
        JobClient first = StreamingRun.start(config, null);

        awaitOutput(first, () -> !KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output()).isEmpty(),
                "output committed");
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

    /** Waits until {@code reached} while the job still runs: the interruption comes mid-stream. */
    private static void awaitOutput(JobClient job, Callable<Boolean> reached, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!reached.call()) {
            assertThat(System.nanoTime()).as("%s within the timeout", what).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(job.getJobStatus().get()).as("the job is still running at '%s': make the world bigger", what)
                .isEqualTo(JobStatus.RUNNING);
    }

    private static void assertExact(Topics topics, List<String> world) {
        List<KafkaTopics.Read> committed = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topics.output());
        assertThat(KafkaTopics.changelogViolations(committed)).as("the transactions topic as a changelog").isEmpty();
        FinalView view = FinalView.of(new ArrayList<>(KafkaTopics.compacted(committed).values()));
        assertThat(view.differences(ReferenceStitcher.expected(world))).as("compacted topic against the rules").isEmpty();
    }

    private static RunConfig config(Path dir, Topics topics, boolean bounded, String checkpointInterval)
            throws Exception {
        return KAFKA.runConfig(dir, Map.of(
                "input.kafka.topics", topics.input(),
                "input.kafka.group-id", topics.input(),
                "input.kafka.start", "earliest",
                "input.bounded", Boolean.toString(bounded),
                "output.kafka.topic", topics.output(),
                "output.kafka.dead-letter-topic", topics.deadLetters(),
                "checkpoint.interval", checkpointInterval));
    }
}
