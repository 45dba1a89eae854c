package io.tracestitch.jobs;

import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.FinalView;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster path of the README: {@code target/tracestitch-cluster.jar} submitted to a real
 * standalone Flink 1.20.3 session cluster (a JobManager and a TaskManager process started from the
 * Flink jars on the test classpath, not from this project's classes) through its REST API, the way
 * the web UI and {@code /jars/run} submit it: {@code main()} runs inside the JobManager, detached.
 */
class ClusterSubmissionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Flink's own launch scripts pass these on Java 17. */
    private static final List<String> JAVA_17_OPENS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    @TempDir
    static Path dir;

    private static final List<Process> processes = new ArrayList<>();
    private static String rest;

    @BeforeAll
    static void startCluster() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        int restPort = freePort();
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "rest.address: 127.0.0.1", "rest.bind-address: 127.0.0.1", "rest.port: " + restPort,
                "jobmanager.rpc.address: 127.0.0.1", "jobmanager.rpc.port: " + freePort(),
                "jobmanager.bind-host: 127.0.0.1", "taskmanager.bind-host: 127.0.0.1", "taskmanager.host: 127.0.0.1",
                "taskmanager.numberOfTaskSlots: 2", "jobmanager.memory.process.size: 1024m",
                "taskmanager.memory.process.size: 1600m", "taskmanager.memory.managed.fraction: 0.1",
                "web.upload.dir: " + Files.createDirectories(dir.resolve("uploads")), ""));
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO", "rootLogger.appenderRef.file.ref = File", "appender.file.name = File",
                "appender.file.type = File", "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout", "appender.file.layout.pattern = %d %-5p %c{1} - %m%n", ""));
        rest = "http://127.0.0.1:" + restPort;

        start("jobmanager", "GET_JM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", conf);
        start("taskmanager", "GET_TM_RESOURCE_PARAMS", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", conf);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                if (get("/taskmanagers").path("taskmanagers").size() == 1) {
                    break;
                }
            } catch (IOException notYetListening) {
                // the JobManager's REST endpoint comes up a few seconds after the process
            }
            assertThat(System.nanoTime()).as("TaskManager registered within 120 s; logs in %s", dir).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    @AfterAll
    static void stopCluster() {
        processes.forEach(Process::destroyForcibly);
    }

    @Test
    void clusterJarStitchesTheSampleOnAStandaloneCluster() throws Exception {
        Path jar = Path.of("target", "tracestitch-cluster.jar").toAbsolutePath();
        assertThat(jar).exists();
        Path input = dir.resolve("small.ndjson");
        Files.copy(Path.of("src/test/resources/samples/small.ndjson"), input);
        Path output = dir.resolve("transactions.ndjson");
        Path deadLetters = dir.resolve("dead-letters.ndjson");

        String jarId = Path.of(upload(jar).path("filename").asText()).getFileName().toString();
        JsonNode run = post("/jars/" + jarId + "/run", Map.of(
                "entryClass", "io.tracestitch.jobs.TraceStitch",
                "programArgsList", List.of("stitch", "--input", input.toString(), "--output", output.toString(),
                        "--dead-letter", deadLetters.toString(), "--parallelism", "2")));
        assertThat(run.has("jobid")).as("submission answer %s", run).isTrue();

        String state = awaitEnd(run.path("jobid").asText());
        assertThat(state).as("job state; logs in %s", dir).isEqualTo("FINISHED");
        Changelog.assertValid(output);
        FinalView.of(output).assertMatches(Path.of("src/test/resources/samples/small.expected.ndjson"));
        assertThat(Files.readAllLines(deadLetters)).hasSize(5);
    }

    @Test
    void aUsageErrorFailsTheSubmissionAndLeavesTheJobManagerUp() throws Exception {
        Path jar = Path.of("target", "tracestitch-cluster.jar").toAbsolutePath();
        String jarId = Path.of(upload(jar).path("filename").asText()).getFileName().toString();
        JsonNode run = post("/jars/" + jarId + "/run", Map.of(
                "entryClass", "io.tracestitch.jobs.TraceStitch",
                "programArgsList", List.of("stitch", "--input", "x.ndjson", "--output", "y.ndjson", "--gpa", "5s")));
        assertThat(run.toString()).contains("failed with exit code 2");
        assertThat(processes.get(0).isAlive()).as("the JobManager survives main()").isTrue();
        assertThat(get("/overview").path("taskmanagers").asInt()).isEqualTo(1);
    }

    private static String awaitEnd(String jobId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            String state = get("/jobs/" + jobId).path("state").asText();
            if (List.of("FINISHED", "FAILED", "CANCELED").contains(state)) {
                return state;
            }
            Thread.sleep(500);
        }
        return "still running after 180 s";
    }

    /** Starts one Flink process with the memory flags Flink's scripts would compute for it. */
    private static void start(String name, String resourceQuery, String mainClass, Path conf) throws Exception {
        String classpath = flinkClasspath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process query = new ProcessBuilder(java, "-cp", classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", resourceQuery, "--configDir", conf.toString())
                .redirectErrorStream(true).start();
        String answer = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        query.waitFor();
        List<String> results = answer.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        assertThat(results).as("memory settings for %s: %s", name, answer).hasSize(2);
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(Arrays.asList(results.get(0).trim().split(" +")));
        command.addAll(JAVA_17_OPENS);
        command.addAll(List.of("-Dlog.file=" + dir.resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                "-cp", classpath, mainClass, "--configDir", conf.toString()));
        command.addAll(Arrays.asList(results.get(1).trim().split(" +")));
        processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start());
    }

    /** The test classpath without this project's classes and jars: the job must come from the upload. */
    private static String flinkClasspath() {
        Path target = Path.of("target").toAbsolutePath();
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().startsWith(target))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(rest + path)).GET());
    }

    private static JsonNode post(String path, Object body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(rest + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    private static JsonNode upload(Path jar) throws Exception {
        String boundary = "tracestitch-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(rest + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    }

    private static JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
