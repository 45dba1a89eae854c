package io.tracestitch.jobs;

import io.tracestitch.jobs.tools.simulator.ShopSimulator;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.KafkaBroker;
import io.tracestitch.testing.KafkaTopics;
import io.tracestitch.testing.ReferenceStitcher;
import io.tracestitch.testing.StandaloneCluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} from {@code target/tracestitch-cluster.jar} on a real standalone Flink 1.20.3 session
 * cluster (separate JobManager and TaskManager processes, {@link StandaloneCluster}) against a real
 * Kafka broker, submitted over REST as {@code run --config <file>}, and a TaskManager that runs it
 * killed with SIGKILL mid-stream: the cluster version of {@link KafkaRecoveryTest}. The job must
 * restart on the other TaskManager from its last checkpoint and finish with the committed
 * transactions topic exactly the world's transactions, a valid changelog, and records of the
 * aborted transactions that only a read_uncommitted reader sees. It prints how long the recovery
 * and the job took.
 */
class ClusterRunIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final List<String> TENANTS = List.of("111111111111", "222222222222", "333333333333");

    /** Kept when the test fails: it holds the processes' logs. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static CompletableFuture<KafkaBroker> kafkaStart;
    private static KafkaBroker kafka;
    private static StandaloneCluster cluster;

    @BeforeAll
    static void startServices() throws Exception {
        // Both take seconds, mostly waiting: side by side.
        kafkaStart = CompletableFuture.supplyAsync(() -> {
            try {
                return KafkaBroker.start();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        // Failure detection as local-services.md measured it (the defaults are 10 s / 50 s), a
        // restart strategy a lost TaskManager does not exhaust, and checkpoints where every process
        // reaches them: the run configuration leaves checkpoint.dir to the cluster.
        cluster = StandaloneCluster.start(dir, 2, Map.of(
                "heartbeat.interval", "2000",
                "heartbeat.timeout", "15000",
                "restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "10",
                "restart-strategy.fixed-delay.delay", "1 s",
                "execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString(),
                // every checkpoint of the job in /checkpoints, to find the first after the kill
                "web.checkpoints.history", "1000"));
        kafka = kafkaStart.join();
    }

    @AfterAll
    static void stopServices() {
        if (cluster != null) {
            cluster.close();
        }
        if (kafkaStart != null) {
            KafkaBroker broker = kafkaStart.handle((started, failure) -> started).join();
            if (broker != null) {
                broker.close();
            }
        }
    }

    @Test
    void aKilledTaskManagerRestartsTheJobOnAnotherFromItsLastCheckpointAndTheTopicStaysExact() throws Exception {
        String input = "in-cluster-run";
        String output = "transactions-cluster-run";
        kafka.createTopic(input, 3);
        kafka.createTopic(output, 3);
        kafka.createTopic("dead-letters-cluster-run", 1);
        List<String> world = new ShopSimulator(ShopSimulator.Options.defaults().withSeed(47).withTenants(TENANTS)
                .withRequestsPerTenant(300).withOrder(ShopSimulator.Order.LATE)).lines();
        KafkaTopics.produce(kafka.bootstrapServers(), input, 3, KafkaTopics.utf8(world));
        Path config = Files.writeString(dir.resolve("run.yaml"), String.join("\n",
                "kafka.bootstrap-servers: " + kafka.bootstrapServers(),
                "input.kafka.topics: " + input,
                "input.kafka.group-id: " + input,
                "input.kafka.start: earliest",
                "input.bounded: true",
                "output.kafka.topic: " + output,
                "output.kafka.dead-letter-topic: dead-letters-cluster-run",
                "parallelism: 2",
                "checkpoint.interval: 1s",
                ""));

        // Both TaskManagers are up before the job starts: a spare started after the first commit
        // registers (tens of seconds on two busy cores) after the job has ended. The job's 2 slots
        // are on one TaskManager or across both; either way the other one holds all of it after the kill.
        JsonNode run = cluster.run(cluster.upload(Path.of("target", "tracestitch-cluster.jar").toAbsolutePath()),
                "io.tracestitch.jobs.TraceStitch", List.of("run", "--config", config.toString()));
        assertThat(run.has("jobid")).as("submission answer %s; logs in %s", run, dir).isTrue();
        String jobId = run.path("jobid").asText();

        long committedAt = awaitCommittedOutput(output);
        JsonNode beforeKill = cluster.job(jobId);
        long started = beforeKill.path("start-time").asLong();
        assertThat(beforeKill.path("state").asText()).as("the job is still running: make the world bigger")
                .isEqualTo("RUNNING");
        Set<String> hosts = cluster.taskManagersOf(jobId);
        StandaloneCluster.TaskManager victim = cluster.taskManagers().stream()
                .filter(taskManager -> hosts.contains(taskManager.id())).findFirst().orElseThrow();
        long killedAt = System.currentTimeMillis();
        cluster.kill(victim);
        System.out.printf("ClusterRunIT: first committed output seen %d ms after the job started; %s (of the job's "
                + "TaskManagers %s) killed with SIGKILL at %d ms.%n", committedAt - started, victim.id(), hosts,
                killedAt - started);

        JsonNode job = cluster.awaitEnd(jobId, TIMEOUT);
        assertThat(job.path("state").asText()).as("job state; logs in %s", dir).isEqualTo("FINISHED");
        JsonNode restored = cluster.get("/jobs/" + jobId + "/checkpoints").path("latest").path("restored");
        Recovery recovery = recovery(jobId, killedAt);
        JsonNode states = job.path("timestamps");
        System.out.printf("ClusterRunIT: from the kill: failure recorded after %d ms (%s), job RESTARTING at %d ms, "
                        + "state restored from checkpoint %d at %d ms, job RUNNING again at %d ms, all %d tasks RUNNING "
                        + "again (attempt %s) at %d ms, first checkpoint triggered after the kill completed at %d ms. "
                        + "Job wall time %d ms (REST start-time to FINISHED).%n",
                recovery.failedMs(), recovery.failure(), states.path("RESTARTING").asLong() - killedAt,
                restored.path("id").asLong(), restored.path("restore_timestamp").asLong() - killedAt,
                states.path("RUNNING").asLong() - killedAt, recovery.tasks(), recovery.attempts(),
                recovery.tasksRunningMs(), recovery.checkpointMs(), job.path("duration").asLong());
        assertThat(restored.path("id").asLong()).as("restored from a checkpoint (none: the job ended before the kill)")
                .isPositive();
        assertThat(recovery.attempts()).as("attempts of the job's subtasks: all restarted").doesNotContain(0);
        assertThat(dir.resolve("checkpoints").resolve(jobId)).as("the cluster's checkpoint directory").isDirectory();

        List<KafkaTopics.Read> committed = KafkaTopics.readCommitted(kafka.bootstrapServers(), output);
        assertThat(KafkaTopics.changelogViolations(committed)).as("the transactions topic as a changelog").isEmpty();
        FinalView view = FinalView.of(new ArrayList<>(KafkaTopics.compacted(committed).values()));
        assertThat(view.differences(ReferenceStitcher.expected(world))).as("compacted topic against the rules").isEmpty();
        assertThat(KafkaTopics.readUncommitted(kafka.bootstrapServers(), output).size())
                .as("records of aborted transactions (read_uncommitted sees them)").isGreaterThan(committed.size());
    }

    /** Waits until some output is committed and returns when it was seen (epoch ms). */
    private static long awaitCommittedOutput(String output) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (KafkaTopics.readCommitted(kafka.bootstrapServers(), output).isEmpty()) {
            assertThat(System.nanoTime()).as("committed output within %s; logs in %s", TIMEOUT, dir)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
        return System.currentTimeMillis();
    }

    /**
     * The recovery as the JobManager recorded it, read after the job's end so that no short state is
     * missed between two polls (the job itself stays RUNNING while its tasks restart): milliseconds
     * from the kill until the first failure of the job's exception history, until the last of its
     * {@code tasks} entered RUNNING in its current {@code attempts}, and until the first checkpoint
     * triggered after the kill completed; -1 for what did not happen.
     */
    private record Recovery(long failedMs, String failure, long tasksRunningMs, int tasks, Set<Integer> attempts,
            long checkpointMs) {}

    private static Recovery recovery(String jobId, long killedAt) throws Exception {
        long failed = -1;
        String failure = "none";
        for (JsonNode entry : cluster.get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries")) {
            long at = entry.path("timestamp").asLong();
            if (at >= killedAt && (failed < 0 || at - killedAt < failed)) {
                failed = at - killedAt;
                failure = entry.path("exceptionName").asText() + ": "
                        + entry.path("stacktrace").asText().lines().findFirst().orElse("");
            }
        }
        long lastRunning = -1;
        int tasks = 0;
        Set<Integer> attempts = new TreeSet<>();
        for (JsonNode vertex : cluster.job(jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
            for (JsonNode subtask : cluster.get(path).path("subtasks")) {
                attempts.add(subtask.path("attempt").asInt());
            }
            for (JsonNode subtask : cluster.get(path + "/subtasktimes").path("subtasks")) {
                lastRunning = Math.max(lastRunning, subtask.path("timestamps").path("RUNNING").asLong());
                tasks++;
            }
        }
        long checkpoint = -1;
        for (JsonNode entry : cluster.get("/jobs/" + jobId + "/checkpoints").path("history")) {
            if (entry.path("status").asText().equals("COMPLETED") && entry.path("trigger_timestamp").asLong() > killedAt) {
                long at = entry.path("latest_ack_timestamp").asLong() - killedAt;
                checkpoint = checkpoint < 0 ? at : Math.min(checkpoint, at);
            }
        }
        return new Recovery(failed, failure, lastRunning > killedAt ? lastRunning - killedAt : -1, tasks, attempts,
                checkpoint);
    }
}
