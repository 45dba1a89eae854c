package io.tracestitch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A real standalone Flink 1.20.3 session cluster for a test: a JobManager and TaskManagers, each a
 * process of its own started from the Flink jars on the test class path (not from this project's
 * classes, nor from what the cluster jar brings, see {@link #flinkClasspath()}), on free ports of
 * 127.0.0.1, with its configuration, logs and uploads under the test's directory. Jobs are
 * submitted through its REST API, the way the web UI and {@code /jars/run} submit them.
 *
 * <p>{@link #start} returns once its TaskManagers have registered; {@link #close()} kills every
 * process. A TaskManager can be started and killed on its own, to lose one mid-job.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

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

    /**
     * Jars of the test class path that a Flink distribution does not have and the cluster jar must
     * bring: the connectors of {@code run}, the Kafka client and its zstd codec (Flink's runtime has
     * lz4 and snappy itself), Jackson, snakeyaml and picocli. Left on the cluster's class path they
     * would hide a jar that lacks them, and Flink would load the connectors' {@code org.apache.flink}
     * classes parent-first from there and the Kafka client child-first from the jar.
     */
    private static final List<String> NOT_IN_A_DISTRIBUTION = List.of(
            "/org/apache/flink/flink-connector-kafka/", "/org/apache/flink/flink-connector-kinesis/",
            "/org/apache/kafka/", "/com/github/luben/", "/com/fasterxml/jackson/", "/org/yaml/snakeyaml/",
            "/info/picocli/");

    /** Job states after which a job does nothing more. */
    public static final Set<String> TERMINAL_STATES = Set.of("FINISHED", "FAILED", "CANCELED", "SUSPENDED");

    /** One TaskManager process. */
    public static final class TaskManager {
        private final String id;
        private final ServiceProcess process;

        private TaskManager(String id, ServiceProcess process) {
            this.id = id;
            this.process = process;
        }

        /**
         * Its resource id ({@code taskmanager-1}, …), as the REST API names it ({@code /taskmanagers},
         * a vertex's task managers), and the name of its log files.
         */
        public String id() {
            return id;
        }

        public boolean isAlive() {
            return process.isAlive();
        }
    }

    private final Path dir;
    private final Path conf;
    private final String rest;
    private final ServiceProcess jobManager;
    private final MemoryFlags taskManagerFlags;
    private final List<TaskManager> taskManagers = new ArrayList<>();

    private StandaloneCluster(Path dir, Path conf, String rest, ServiceProcess jobManager, MemoryFlags taskManagerFlags) {
        this.dir = dir;
        this.conf = conf;
        this.rest = rest;
        this.jobManager = jobManager;
        this.taskManagerFlags = taskManagerFlags;
    }

    /**
     * Starts a JobManager and TaskManagers of 2 slots each in {@code dir}, and returns once all are
     * registered; {@code settings} are added to (or replace) the cluster's {@code config.yaml} keys.
     */
    public static StandaloneCluster start(Path dir, int taskManagers, Map<String, String> settings) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        int restPort = ServiceProcess.freePort();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("rest.address", "127.0.0.1");
        config.put("rest.bind-address", "127.0.0.1");
        config.put("rest.port", Integer.toString(restPort));
        config.put("jobmanager.rpc.address", "127.0.0.1");
        config.put("jobmanager.rpc.port", Integer.toString(ServiceProcess.freePort()));
        config.put("jobmanager.bind-host", "127.0.0.1");
        config.put("taskmanager.bind-host", "127.0.0.1");
        config.put("taskmanager.host", "127.0.0.1");
        config.put("taskmanager.numberOfTaskSlots", "2");
        config.put("jobmanager.memory.process.size", "1024m");
        config.put("taskmanager.memory.process.size", "1600m");
        config.put("taskmanager.memory.managed.fraction", "0.1");
        config.put("web.upload.dir", Files.createDirectories(dir.resolve("uploads")).toString());
        // The RPC system's 10 s default to start is too short on two cores that other builds share.
        config.put("pekko.startup-timeout", "60 s");
        config.putAll(settings);
        Files.writeString(conf.resolve("config.yaml"), config.entrySet().stream()
                .map(entry -> entry.getKey() + ": " + entry.getValue()).collect(Collectors.joining("\n", "", "\n")));
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO", "rootLogger.appenderRef.file.ref = File", "appender.file.name = File",
                "appender.file.type = File", "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout", "appender.file.layout.pattern = %d %-5p %c{1} - %m%n", ""));

        ServiceProcess jobManager = launch(dir, conf, "jobmanager", memoryFlags(conf, "GET_JM_RESOURCE_PARAMS"),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        StandaloneCluster cluster;
        try {
            cluster = new StandaloneCluster(dir, conf, "http://127.0.0.1:" + restPort, jobManager,
                    memoryFlags(conf, "GET_TM_RESOURCE_PARAMS"));
        } catch (IOException | InterruptedException | RuntimeException e) {
            jobManager.close();
            throw e;
        }
        try {
            List<TaskManager> started = new ArrayList<>();
            for (int i = 0; i < taskManagers; i++) {
                started.add(cluster.launchTaskManager());
            }
            for (TaskManager taskManager : started) {
                cluster.awaitRegistered(taskManager);
            }
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts one more TaskManager and returns once the JobManager counts it. */
    public TaskManager startTaskManager() throws Exception {
        TaskManager taskManager = launchTaskManager();
        awaitRegistered(taskManager);
        return taskManager;
    }

    private TaskManager launchTaskManager() throws IOException {
        String id = "taskmanager-" + (taskManagers.size() + 1);
        List<String> dynamicProperties = new ArrayList<>(taskManagerFlags.dynamicProperties());
        dynamicProperties.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        TaskManager taskManager = new TaskManager(id, launch(dir, conf, id,
                new MemoryFlags(taskManagerFlags.jvmOptions(), dynamicProperties),
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner"));
        taskManagers.add(taskManager);
        return taskManager;
    }

    private void awaitRegistered(TaskManager taskManager) throws InterruptedException {
        long deadline = ServiceProcess.deadline(START_TIMEOUT);
        while (!registeredTaskManagers().contains(taskManager.id)) {
            jobManager.checkRunning(deadline, "waiting for " + taskManager.id + " to register (logs in " + dir + ")");
            taskManager.process.checkRunning(deadline, "registering with the JobManager (logs in " + dir + ")");
            Thread.sleep(200);
        }
    }

    /** The TaskManagers started, in order, killed ones included. */
    public List<TaskManager> taskManagers() {
        return List.copyOf(taskManagers);
    }

    /** Ids of the TaskManagers the JobManager counts; none while its REST endpoint is not up yet. */
    public List<String> registeredTaskManagers() throws InterruptedException {
        try {
            List<String> ids = new ArrayList<>();
            get("/taskmanagers").path("taskmanagers").forEach(taskManager -> ids.add(taskManager.path("id").asText()));
            return ids;
        } catch (IOException notYetListening) {
            // the JobManager's REST endpoint comes up a few seconds after the process
            return List.of();
        }
    }

    /** Ids of the TaskManagers that run at least one of the job's subtasks. */
    public Set<String> taskManagersOf(String jobId) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (JsonNode vertex : job(jobId).path("vertices")) {
            for (JsonNode taskManager : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()
                    + "/taskmanagers").path("taskmanagers")) {
                ids.add(taskManager.path("taskmanager-id").asText());
            }
        }
        return ids;
    }

    /** SIGKILL to the TaskManager's process and everything it started, as when its machine is lost. */
    public void kill(TaskManager taskManager) {
        taskManager.process.close();
    }

    public boolean jobManagerAlive() {
        return jobManager.isAlive();
    }

    /** Uploads a jar through {@code /jars/upload} and returns its id for {@link #run}. */
    public String upload(Path jar) throws Exception {
        String boundary = "tracestitch-" + System.nanoTime();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = send(HttpRequest.newBuilder(URI.create(rest + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        if (!answer.has("filename")) {
            throw new IllegalStateException("upload of " + jar + " refused: " + answer);
        }
        return Path.of(answer.path("filename").asText()).getFileName().toString();
    }

    /**
     * {@code /jars/<id>/run}: the jar's {@code main()} runs inside the JobManager, detached. The
     * answer holds {@code jobid}, or {@code errors} when {@code main()} failed.
     */
    public JsonNode run(String jarId, String entryClass, List<String> programArgs) throws Exception {
        return post("/jars/" + jarId + "/run", Map.of("entryClass", entryClass, "programArgsList", programArgs));
    }

    /** {@code /jobs/<id>}: state, timestamps, duration and the vertices with their task counts. */
    public JsonNode job(String jobId) throws Exception {
        return get("/jobs/" + jobId);
    }

    /** True when the job runs and so does every one of its tasks (deployed, state restored). */
    public static boolean allTasksRunning(JsonNode job) {
        if (!"RUNNING".equals(job.path("state").asText()) || job.path("vertices").isEmpty()) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** Waits for one of the {@link #TERMINAL_STATES}; returns the job as {@link #job} gives it then. */
    public JsonNode awaitEnd(String jobId, Duration timeout) throws Exception {
        long deadline = ServiceProcess.deadline(timeout);
        while (true) {
            JsonNode job = job(jobId);
            if (TERMINAL_STATES.contains(job.path("state").asText())) {
                return job;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " still " + job.path("state").asText() + " after "
                        + timeout + "; logs in " + dir);
            }
            Thread.sleep(200);
        }
    }

    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(rest + path)).GET());
    }

    public JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(rest + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
    }

    /** Where the processes' logs ({@code <name>.log}, {@code <name>.out}) and the configuration are. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        taskManagers.forEach(taskManager -> taskManager.process.close());
        jobManager.close();
    }

    /** What Flink's launch scripts would pass a process: JVM options and dynamic properties. */
    private record MemoryFlags(List<String> jvmOptions, List<String> dynamicProperties) {}

    /** Asks {@code BashJavaUtils} for the memory flags, as Flink's scripts do: a JVM run of its own. */
    private static MemoryFlags memoryFlags(Path conf, String resourceQuery) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process query = new ProcessBuilder(java, "-cp", flinkClasspath(),
                "org.apache.flink.runtime.util.bash.BashJavaUtils", resourceQuery, "--configDir", conf.toString())
                .redirectErrorStream(true).start();
        String answer = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        query.waitFor();
        List<String> results = answer.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim()).toList();
        if (results.size() != 2) {
            throw new IllegalStateException("no memory settings from " + resourceQuery + ": " + answer);
        }
        return new MemoryFlags(Arrays.asList(results.get(0).split(" +")), Arrays.asList(results.get(1).split(" +")));
    }

    private static ServiceProcess launch(Path dir, Path conf, String name, MemoryFlags flags, String mainClass)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(flags.jvmOptions());
        command.addAll(JAVA_17_OPENS);
        command.addAll(List.of("-Dlog.file=" + dir.resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                "-cp", flinkClasspath(), mainClass, "--configDir", conf.toString()));
        command.addAll(flags.dynamicProperties());
        return ServiceProcess.start("Flink " + name, ServiceProcess.endingWithThisJvm(name, command),
                dir.resolve(name + ".out"));
    }

    /**
     * The test class path without this project's classes and jars (the job must come from the
     * upload) and without {@link #NOT_IN_A_DISTRIBUTION}: about what a Flink distribution's
     * {@code lib/} holds, plus test libraries no job sees.
     */
    private static String flinkClasspath() {
        Path target = Path.of("target").toAbsolutePath();
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).toAbsolutePath().startsWith(target))
                .filter(entry -> NOT_IN_A_DISTRIBUTION.stream()
                        .noneMatch(part -> entry.replace(File.separatorChar, '/').contains(part)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(request.timeout(Duration.ofSeconds(120)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }
}
