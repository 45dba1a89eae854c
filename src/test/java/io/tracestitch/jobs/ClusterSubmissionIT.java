package io.tracestitch.jobs;

import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.StandaloneCluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster path of the README: {@code target/tracestitch-cluster.jar} submitted to a real
 * standalone Flink 1.20.3 session cluster (a JobManager and a TaskManager process started from the
 * Flink jars on the test classpath, not from this project's classes, see
 * {@link StandaloneCluster}) through its REST API, the way the web UI and {@code /jars/run} submit
 * it: {@code main()} runs inside the JobManager, detached.
 */
class ClusterSubmissionIT {

    @TempDir
    static Path dir;

    private static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = StandaloneCluster.start(dir, 1, Map.of());
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void clusterJarStitchesTheSampleOnAStandaloneCluster() throws Exception {
        Path jar = Path.of("target", "tracestitch-cluster.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path input = dir.resolve("small.ndjson");
        Files.copy(Path.of("src/test/resources/samples/small.ndjson"), input);
        Path output = dir.resolve("transactions.ndjson");
        Path deadLetters = dir.resolve("dead-letters.ndjson");

        JsonNode run = cluster.run(cluster.upload(jar), "io.tracestitch.jobs.TraceStitch",
                List.of("stitch", "--input", input.toString(), "--output", output.toString(),
                        "--dead-letter", deadLetters.toString(), "--parallelism", "2"));
        assertThat(run.has("jobid")).as("submission answer %s", run).isTrue();

        String state = cluster.awaitEnd(run.path("jobid").asText(), Duration.ofSeconds(180)).path("state").asText();
        assertThat(state).as("job state; logs in %s", dir).isEqualTo("FINISHED");
        Changelog.assertValid(output);
        FinalView.of(output).assertMatches(Path.of("src/test/resources/samples/small.expected.ndjson"));
        assertThat(Files.readAllLines(deadLetters)).hasSize(5);
    }

    @Test
    void aUsageErrorFailsTheSubmissionAndLeavesTheJobManagerUp() throws Exception {
        Path jar = Path.of("target", "tracestitch-cluster.jar").toAbsolutePath();
        JsonNode run = cluster.run(cluster.upload(jar), "io.tracestitch.jobs.TraceStitch",
                List.of("stitch", "--input", "x.ndjson", "--output", "y.ndjson", "--gpa", "5s"));
        assertThat(run.toString()).contains("tracestitch stitch failed with exit code 2: "
                + "tracestitch: unknown options: '--gpa', '5s' (did you mean --gap?)");
        JsonNode secret = cluster.run(cluster.upload(jar), "io.tracestitch.jobs.TraceStitch", List.of("run",
                "--config", "missing.yaml", "--set", "kafka.properties.sasl.jaas.config=hunter2"));
        assertThat(secret.toString()).contains("tracestitch run failed with exit code 2: tracestitch: ")
                .doesNotContain("hunter2");
        assertThat(cluster.jobManagerAlive()).as("the JobManager survives main()").isTrue();
        assertThat(cluster.get("/overview").path("taskmanagers").asInt()).isEqualTo(1);
    }
}
