package io.tracestitch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Kinesis endpoint for a test: kinesalite 3.3.3 (in memory) started with Node.js through
 * {@code deploy/local/kinesalite/kinesalite.js}, bound to 127.0.0.1 on a free port, the endpoint of
 * {@code deploy/local/services.sh}. The first start installs kinesalite with {@code npm ci} from
 * {@code deploy/local/kinesalite/package-lock.json} into {@code target/kinesalite}; {@code node} and
 * {@code npm} must be on the PATH. Streams become ACTIVE 50 ms after {@code CreateStream}, not 500 ms.
 *
 * <p>kinesalite checks that requests carry a signature but not the signature itself, so any access
 * key works (region {@code us-east-1}). {@link #close()} kills it and its streams are gone.
 */
public final class Kinesalite implements AutoCloseable {

    private static final Path SOURCE = Path.of("deploy", "local", "kinesalite").toAbsolutePath();
    private static final Path INSTALL = Path.of("target", "kinesalite").toAbsolutePath();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern LISTENING = Pattern.compile("kinesalite listening at (http://\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ServiceProcess process;
    private final Path directory;
    private final String endpoint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Kinesalite(ServiceProcess process, Path directory, String endpoint) {
        this.process = process;
        this.directory = directory;
        this.endpoint = endpoint;
    }

    public static Kinesalite start() throws IOException, InterruptedException {
        install();
        Path directory = Files.createTempDirectory("tracestitch-kinesalite-");
        Path log = directory.resolve("kinesalite.log");
        ServiceProcess process;
        try {
            process = ServiceProcess.start("kinesalite", List.of("node", SOURCE.resolve("kinesalite.js").toString(),
                    "--modules", INSTALL.toString(), "--host", "127.0.0.1", "--port", "0",
                    "--create-stream-ms", "50", "--exit-on-stdin-end"), log);
        } catch (IOException e) {
            ServiceProcess.deleteRecursively(directory);
            throw new IllegalStateException("could not run node (Node.js 18 or newer must be on the PATH; on Debian: "
                    + "apt-get install nodejs npm): " + e.getMessage(), e);
        }
        try {
            long deadline = ServiceProcess.deadline(START_TIMEOUT);
            Optional<String> endpoint;
            while ((endpoint = listeningAt(log)).isEmpty()) {
                process.checkRunning(deadline, "no 'kinesalite listening at' line");
                Thread.sleep(50);
            }
            Kinesalite kinesalite = new Kinesalite(process, directory, endpoint.get());
            kinesalite.call("ListStreams", Map.of());
            return kinesalite;
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.close();
            ServiceProcess.deleteRecursively(directory);
            throw e;
        }
    }

    /** The URL to send Kinesis requests to (the AWS SDK's endpoint override, Flink's {@code aws.endpoint}). */
    public String endpoint() {
        return endpoint;
    }

    public String region() {
        return "us-east-1";
    }

    /** Creates a stream and waits until it is ACTIVE. */
    public void createStream(String name, int shards) throws IOException, InterruptedException {
        call("CreateStream", Map.of("StreamName", name, "ShardCount", shards));
        long deadline = ServiceProcess.deadline(Duration.ofSeconds(30));
        while (!call("DescribeStream", Map.of("StreamName", name)).path("StreamDescription").path("StreamStatus")
                .asText().equals("ACTIVE")) {
            process.checkRunning(deadline, "stream " + name + " not ACTIVE");
            Thread.sleep(20);
        }
    }

    /**
     * One call of the Kinesis JSON API ({@code operation} as in {@code X-Amz-Target}, e.g.
     * {@code PutRecord}), with a dummy signature. Fails with kinesalite's answer unless it is 200.
     */
    public JsonNode call(String operation, Map<String, ?> request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", "Kinesis_20131202." + operation)
                .header("X-Amz-Date", "20240101T000000Z")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/kinesis/aws4_request, "
                        + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(operation + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body().isEmpty() ? "{}" : response.body());
    }

    /** The last lines of kinesalite's output, for a failing test's message. */
    public String logTail(int lines) {
        return process.logTail(lines);
    }

    List<ProcessHandle> processTree() {
        return process.tree();
    }

    @Override
    public void close() {
        process.close();
        ServiceProcess.deleteRecursively(directory);
    }

    private static Optional<String> listeningAt(Path log) throws IOException {
        Matcher matcher = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** {@code npm ci} into target/kinesalite, unless it already holds what the lock file pins. */
    private static synchronized void install() throws IOException, InterruptedException {
        Path lock = SOURCE.resolve("package-lock.json");
        // Written after a successful install only: an install that broke off is done again.
        Path installed = INSTALL.resolve("installed-package-lock.json");
        if (Files.isRegularFile(installed) && Arrays.equals(Files.readAllBytes(lock), Files.readAllBytes(installed))) {
            return;
        }
        Files.createDirectories(INSTALL);
        Files.deleteIfExists(installed);
        Files.copy(SOURCE.resolve("package.json"), INSTALL.resolve("package.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(lock, INSTALL.resolve("package-lock.json"), StandardCopyOption.REPLACE_EXISTING);
        try {
            // --ignore-scripts: the only install script is leveldown's native build, which kinesalite
            // needs only for a --path store; in memory it uses memdown.
            ServiceProcess.run("installing kinesalite (npm ci)", List.of("npm", "ci", "--prefix", INSTALL.toString(),
                    "--ignore-scripts", "--no-audit", "--no-fund"), INSTALL.resolve("npm-install.log"), INSTALL_TIMEOUT);
        } catch (IOException e) {
            throw new IllegalStateException("could not run npm (Node.js 18 or newer and npm must be on the PATH; on "
                    + "Debian: apt-get install nodejs npm): " + e.getMessage(), e);
        }
        Files.copy(lock, installed);
    }
}
