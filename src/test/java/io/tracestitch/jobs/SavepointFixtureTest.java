package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.KafkaBrokerExtension;
import io.tracestitch.testing.KafkaTopics;
import io.tracestitch.testing.MiniClusters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades: a savepoint of {@code run} taken by an earlier build, committed under
 * {@code src/test/resources/savepoints/}, restores into today's job, which continues exactly. The
 * savepoint holds the small sample read whole and nothing written yet (gap 1h: no trace had closed),
 * so every stage's state is in it; the restored job must emit exactly the sample's transactions
 * once event time moves on. A state type changed without a migration fails here (and in
 * {@code SchemaPinsTest}, which names the type).
 *
 * <p>To make a new fixture (after a deliberate format change, keeping the old one's test until its
 * format is no longer read): {@code mvn test -Dtest=SavepointFixtureTest#writeFixture -Dsavepoint.fixture.write=<name>}.
 */
class SavepointFixtureTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    private static final Path FIXTURES = Path.of("src", "test", "resources", "savepoints");
    /** The fixture this build must restore: written by the job at commit 1c046c7's formats (version 1). */
    private static final String FIXTURE = "v1-small";
    private static final String INPUT = "fixture-in";
    private static final int PARTITIONS = 3;
    private static final String FLUSH_TENANT = "999999999999";

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @BeforeAll
    static void produceInput() throws Exception {
        KAFKA.createTopic(INPUT, PARTITIONS);
        // The same records at the same offsets as when the fixture was taken: its offsets point into them.
        KafkaTopics.produceInOrder(KAFKA.bootstrapServers(), INPUT, PARTITIONS, KafkaTopics.utf8(sample()));
    }

    @Test
    void theCommittedSavepointRestoresAndTheJobContinuesExactly(@TempDir Path dir) throws Exception {
        Path savepoint = FIXTURES.resolve(FIXTURE).toAbsolutePath();
        assertThat(savepoint.resolve("_metadata")).exists();
        KAFKA.createTopic("fixture-transactions", 3);
        KAFKA.createTopic("fixture-dead-letters", 1);

        JobClient job = StreamingRun.start(config(dir, "fixture-transactions", "fixture-dead-letters"),
                savepoint.toUri().toString());
        try {
            // Event time moves on only with new records: one far later on every partition.
            KafkaTopics.produceInOrder(KAFKA.bootstrapServers(), INPUT, PARTITIONS, KafkaTopics.utf8(flushLines()));
            Path expected = SamplesStitchTest.resource("small.expected.ndjson");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            List<String> differences = differences("fixture-transactions", expected);
            while (!differences.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(500);
                differences = differences("fixture-transactions", expected);
            }
            assertThat(differences).as("the restored job's compacted topic against small's expected transactions").isEmpty();
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        assertThat(KafkaTopics.changelogViolations(KafkaTopics.readCommitted(KAFKA.bootstrapServers(), "fixture-transactions")))
                .isEmpty();
    }

    /** Writes a new fixture when {@code -Dsavepoint.fixture.write=<name>} is given; skipped otherwise. */
    @Test
    void writeFixture(@TempDir Path dir) throws Exception {
        String name = System.getProperty("savepoint.fixture.write", "");
        assumeTrue(!name.isEmpty(), "writes a fixture only when asked");
        KAFKA.createTopic("writer-transactions", 3);
        KAFKA.createTopic("writer-dead-letters", 1);
        JobClient job = StreamingRun.start(config(dir, "writer-transactions", "writer-dead-letters"), null);
        awaitAllRead();
        Path target = FIXTURES.resolve(name).toAbsolutePath();
        String written = job.stopWithSavepoint(false, dir.resolve("savepoint").toUri().toString(),
                SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);
        assertThat(KafkaTopics.readCommitted(KAFKA.bootstrapServers(), "writer-transactions"))
                .as("nothing written before the savepoint: all state is in it").isEmpty();
        copy(Path.of(java.net.URI.create(written)), target);
        System.out.println("fixture written to " + target);
    }

    private static RunConfig config(Path dir, String output, String deadLetters) throws Exception {
        return KAFKA.runConfig(dir, Map.of(
                "input.kafka.topics", INPUT,
                "input.kafka.group-id", "fixture",
                "input.kafka.start", "earliest",
                "output.kafka.topic", output,
                "output.kafka.dead-letter-topic", deadLetters,
                // The fixture's uids and names: the same transactional prefix across writer and reader.
                "output.kafka.transactional-id-prefix", "fixture",
                "checkpoint.interval", "500ms",
                // No trace closes while the sample is read; event time moves only with records.
                "gap", "1h",
                // State expires a horizon of processing time after its last use, counted across a
                // stop: the fixture's state dates from when it was written, so the longest horizon.
                "horizon", "36500d",
                "input.idle-timeout", "0s"));
    }

    /** Until the job's consumer group has committed offsets at the end of every partition. */
    private static void awaitAllRead() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(INPUT, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() < deadline) {
                var ends = admin.listOffsets(latest).all().get();
                var committed = admin.listConsumerGroupOffsets("fixture").partitionsToOffsetAndMetadata().get();
                boolean all = ends.entrySet().stream().allMatch(end -> committed.get(end.getKey()) != null
                        && committed.get(end.getKey()).offset() >= end.getValue().offset());
                if (all) {
                    return;
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("the job did not read the sample within 2 minutes");
        }
    }

    private static List<String> sample() throws Exception {
        return Files.readAllLines(SamplesStitchTest.resource("small.ndjson"), StandardCharsets.UTF_8);
    }

    private static List<String> flushLines() {
        List<String> lines = new ArrayList<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            lines.add("{\"type\":\"span\",\"tenant\":\"" + FLUSH_TENANT + "\",\"traceId\":\"f1a5" + partition
                    + "\",\"spanId\":\"f1a5\",\"service\":\"flush\",\"name\":\"flush\",\"kind\":\"server\","
                    + "\"startMs\":1900000000000,\"endMs\":1900000000000}");
        }
        return lines;
    }

    private static List<String> differences(String topic, Path expected) {
        List<String> lines = KafkaTopics.compacted(KafkaTopics.readCommitted(KAFKA.bootstrapServers(), topic))
                .values().stream().filter(line -> !line.contains("\"tenant\":\"" + FLUSH_TENANT + "\"")).toList();
        return FinalView.of(new ArrayList<>(lines)).differences(expected);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
