package io.tracestitch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka 3.9.1 broker (KRaft, broker and controller in one process) for a test,
 * on free ports of 127.0.0.1, with its data in a new temporary directory. It is the broker of
 * {@code deploy/local/services.sh}: the same jars ({@code deploy/local/pom.xml}), the same
 * {@code server.properties} template (one replica for every internal topic, so transactions work,
 * and the broker's default {@code transaction.max.timeout.ms} of 15 min, which a transactional
 * producer's {@code transaction.timeout.ms} must not exceed).
 *
 * <p>The broker runs in a child JVM whose classpath is exactly the jars that Maven resolves for
 * {@code deploy/local/pom.xml}: Kafka's Scala and its other dependencies never meet the test
 * classpath. The first start resolves them (with the Maven that runs the build, see the surefire
 * configuration) and keeps the classpath in {@code target/kafka-broker/classpath.txt}.
 *
 * <p>{@link #start()} returns once the broker answers {@code describeCluster}; {@link #close()} kills
 * the broker and deletes its directory.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Path LOCAL = Path.of("deploy", "local").toAbsolutePath();
    private static final Path CLASSPATH_FILE = Path.of("target", "kafka-broker", "classpath.txt").toAbsolutePath();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RESOLVE_TIMEOUT = Duration.ofMinutes(10);

    private final Path directory;
    private final ServiceProcess process;
    private final String bootstrapServers;
    private final Admin admin;

    private KafkaBroker(Path directory, ServiceProcess process, String bootstrapServers, Admin admin) {
        this.directory = directory;
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
    }

    public static KafkaBroker start() throws IOException, InterruptedException {
        String classpath = classpath();
        for (int attempt = 1; ; attempt++) {
            try {
                return start(classpath);
            } catch (PortTaken e) {
                // The free ports were free when chosen; another process has taken one since.
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }

    private static KafkaBroker start(String classpath) throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("tracestitch-kafka-");
        Path log = directory.resolve("broker.log");
        ServiceProcess process = null;
        Admin admin = null;
        try {
            int port = ServiceProcess.freePort();
            int controllerPort = ServiceProcess.freePort();
            Path properties = directory.resolve("server.properties");
            Files.writeString(properties, Files.readString(LOCAL.resolve("kafka-server.properties"))
                    .replace("@HOST@", "127.0.0.1")
                    .replace("@PORT@", Integer.toString(port))
                    .replace("@CONTROLLER_PORT@", Integer.toString(controllerPort))
                    .replace("@DATA_DIR@", directory.resolve("data").toString()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String logConfig = "-Dlog4j.configuration=" + LOCAL.resolve("kafka-log4j.properties").toUri();

            ServiceProcess.run("formatting the Kafka storage", List.of(java, "-Xmx256m", logConfig, "-cp", classpath,
                    "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()),
                    log, Duration.ofSeconds(60));

            List<String> command = ServiceProcess.endingWithThisJvm("kafka-broker", List.of(java, "-Xms128m", "-Xmx512m",
                    "-XX:+UseG1GC", "-Djava.awt.headless=true", logConfig, "-cp", classpath, "kafka.Kafka",
                    properties.toString()));
            process = ServiceProcess.start("Kafka broker", command, log);

            long deadline = ServiceProcess.deadline(START_TIMEOUT);
            process.awaitPort(port, deadline);
            String bootstrapServers = "127.0.0.1:" + port;
            admin = Admin.create(Map.of(
                    AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000));
            awaitCluster(process, admin, deadline);
            return new KafkaBroker(directory, process, bootstrapServers, admin);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (admin != null) {
                admin.close(Duration.ZERO);
            }
            if (process != null) {
                process.close();
            }
            boolean portTaken = e instanceof IllegalStateException && Files.exists(log)
                    && Files.readString(log).contains("Address already in use");
            ServiceProcess.deleteRecursively(directory);
            if (portTaken) {
                throw new PortTaken((IllegalStateException) e);
            }
            throw e;
        }
    }

    private static final class PortTaken extends IllegalStateException {
        PortTaken(IllegalStateException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static void awaitCluster(ServiceProcess process, Admin admin, long deadline) throws InterruptedException {
        while (true) {
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException notYet) {
                // the broker has opened its port but not yet joined its own controller
            }
            process.checkRunning(deadline, "no answer to describeCluster");
            Thread.sleep(100);
        }
    }

    /** {@code host:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic with one replica per partition and waits until the broker has it. */
    public void createTopic(String name, int partitions) {
        try {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw process.failure("could not create topic " + name + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last lines of the broker's log, for a failing test's message. */
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    Path directory() {
        return directory;
    }

    List<ProcessHandle> processTree() {
        return process.tree();
    }

    @Override
    public void close() {
        admin.close(Duration.ZERO);
        process.close();
        ServiceProcess.deleteRecursively(directory);
    }

    /**
     * The broker's classpath, resolved from {@code deploy/local/pom.xml} by a Maven run of its own
     * ({@code dependency:build-classpath}) the first time and again whenever that pom changes or a jar
     * has gone from the local repository.
     */
    static synchronized String classpath() throws IOException, InterruptedException {
        Path pom = LOCAL.resolve("pom.xml");
        if (!Files.isRegularFile(pom)) {
            throw new IllegalStateException(pom + " not found: run the tests from the project's root directory");
        }
        if (!Files.exists(CLASSPATH_FILE) || Files.getLastModifiedTime(CLASSPATH_FILE).compareTo(
                Files.getLastModifiedTime(pom)) < 0 || !allPresent(Files.readString(CLASSPATH_FILE).trim())) {
            Files.createDirectories(CLASSPATH_FILE.getParent());
            Path resolving = CLASSPATH_FILE.resolveSibling("classpath.txt.part");
            List<String> command = new ArrayList<>(List.of(maven(), "-B", "-q", "-f", pom.toString(),
                    "dependency:build-classpath", "-Dmdep.outputFile=" + resolving));
            // The build's own local repository, where the build may already have put some of the jars.
            String repository = System.getProperty("tracestitch.maven.repo.local", "");
            if (!repository.isBlank() && !repository.startsWith("${")) {
                command.add("-Dmaven.repo.local=" + repository);
            }
            ServiceProcess.run("resolving the Kafka broker's jars", command,
                    CLASSPATH_FILE.resolveSibling("resolve.log"), RESOLVE_TIMEOUT);
            Files.move(resolving, CLASSPATH_FILE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return Files.readString(CLASSPATH_FILE).trim();
    }

    private static boolean allPresent(String classpath) {
        return !classpath.isEmpty() && Arrays.stream(classpath.split(java.io.File.pathSeparator))
                .allMatch(jar -> Files.isRegularFile(Path.of(jar)));
    }

    /** The {@code mvn} of the Maven that runs the tests (surefire passes its home), else the one on the PATH. */
    private static String maven() {
        String home = System.getProperty("tracestitch.maven.home", "");
        Path mvn = Path.of(home, "bin", "mvn");
        return !home.isBlank() && Files.isExecutable(mvn) ? mvn.toString() : "mvn";
    }
}
