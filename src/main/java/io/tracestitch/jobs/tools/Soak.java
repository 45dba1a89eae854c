package io.tracestitch.jobs.tools;

import io.tracestitch.config.RunConfig;
import io.tracestitch.config.RunConfigLoader;
import io.tracestitch.jobs.StreamingRun;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The soak: {@code run} in the embedded cluster against a real broker for a long time at a steady
 * rate, reporting every minute what an operator watches (records produced, the last completed
 * checkpoint's size and duration) and at the end the latency from a transaction's last span
 * produced to its first revision committed.
 *
 * <p>The generator simulates the shop live: worlds of one minute each ({@link ShopSimulator}, a new
 * seed each, simulated time starting at the wall clock), produced evenly over that minute, so event
 * time follows the clock. The rate comes from the number of tenants (each sends ~160 records/s).
 */
public final class Soak {

    public record Settings(String bootstrapServers, int tenants, Duration duration, Duration horizon,
            Duration maxHopDelay, Duration checkpointInterval, int parallelism, Path report) {}

    private static final Duration CHUNK = Duration.ofMinutes(1);
    /** Requests per tenant in one simulated minute: the simulator's mean is one request per 400 ms. */
    private static final int REQUESTS_PER_CHUNK = 150;
    private static final Pattern TRACE_ID = Pattern.compile("\"traceId\":\"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final String run = "soak-" + System.currentTimeMillis();
    private final AtomicLong produced = new AtomicLong();
    /** Wall time each trace's last span was produced, for the latency of its transaction. */
    private final Map<String, Long> lastSpanProducedAt = new ConcurrentHashMap<>();
    private final List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;
    private volatile boolean jobDone;

    private Soak(Settings settings) {
        this.settings = settings;
    }

    public static void run(Settings settings) throws Exception {
        new Soak(settings).soak();
    }

    private void soak() throws Exception {
        String input = run + "-in";
        String output = run + "-transactions";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            // Partitions a multiple of the parallelism: every source subtask reads as much as the others,
            // and none falls behind holding back the watermark (and so every buffer) of the job.
            admin.createTopics(List.of(new NewTopic(input, 2 * settings.parallelism(), (short) 1),
                    new NewTopic(output, 3, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(run + "-dead-letters", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        int restPort = freePort();
        Configuration flink = new Configuration();
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, restPort);
        JobClient job = StreamingRun.environment(config(input, output), null, flink).executeAsync(StreamingRun.JOB_NAME);

        List<String> report = new ArrayList<>(List.of(
                "Soak " + run + ": " + settings + ", job " + job.getJobID() + " (web UI http://127.0.0.1:" + restPort + ")",
                "",
                "| minute | records produced | rate (records/s) | job behind (records) | last checkpoint: size | duration |",
                "| ---: | ---: | ---: | ---: | ---: | ---: |"));
        report.forEach(System.out::println);
        Thread generator = daemon("soak-generator", () -> generate(input));
        Thread reader = daemon("soak-reader", () -> readTransactions(output));
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        long lastCount = 0;
        for (int minute = 1; minute <= settings.duration().toMinutes(); minute++) {
            Thread.sleep(Math.max(0, start + TimeUnit.MINUTES.toNanos(minute) - System.nanoTime()) / 1_000_000);
            long count = produced.get();
            JsonNode latest = checkpoints(http, restPort, job).path("latest").path("completed");
            String row = String.format(Locale.ROOT, "| %d | %,d | %,d | %,d | %s | %s |", minute, count,
                    (count - lastCount) / 60, count - committedOffsets(input), mib(latest.path("state_size")),
                    latest.path("end_to_end_duration").isMissingNode() ? "–" : latest.path("end_to_end_duration").asLong() + " ms");
            lastCount = count;
            report.add(row);
            System.out.println(row);
        }
        stopping = true;
        generator.join();
        Thread.sleep(settings.checkpointInterval().toMillis() * 2);
        job.cancel().get(60, TimeUnit.SECONDS);
        jobDone = true;
        reader.join();
        report.addAll(latencyReport());
        report.subList(report.size() - 3, report.size()).forEach(System.out::println);
        Files.write(settings.report(), report, StandardCharsets.UTF_8);
    }

    /** Records of the input the job has read as of its last checkpoint (its group's committed offsets). */
    private long committedOffsets(String input) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(run).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .entrySet().stream().filter(e -> e.getKey().topic().equals(input) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }

    private RunConfig config(String input, String output) throws IOException {
        Path file = Files.createTempFile("tracestitch-soak", ".yaml");
        try {
            Files.writeString(file, String.join("\n",
                    "kafka.bootstrap-servers: " + settings.bootstrapServers(),
                    "input.kafka.topics: " + input,
                    "input.kafka.group-id: " + run,
                    "input.kafka.start: earliest",
                    "output.kafka.topic: " + output,
                    "output.kafka.dead-letter-topic: " + run + "-dead-letters",
                    "parallelism: " + settings.parallelism(),
                    "checkpoint.interval: " + settings.checkpointInterval().toMillis() + "ms",
                    "horizon: " + settings.horizon().toSeconds() + "s",
                    "max-hop-delay: " + settings.maxHopDelay().toSeconds() + "s",
                    ""));
            return RunConfigLoader.load(file, List.of(), Map.of()).config();
        } finally {
            Files.delete(file);
        }
    }

    /** One simulated minute after another, the next made while the current one is produced. */
    private void generate(String topic) {
        BlockingQueue<List<String>> ready = new ArrayBlockingQueue<>(1);
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < settings.tenants(); i++) {
            tenants.add(String.format(Locale.ROOT, "%012d", 100_000_000_000L + i));
        }
        Thread maker = daemon("soak-simulator", () -> {
            long chunkStart = System.currentTimeMillis();
            for (long seed = 1; !stopping; seed++, chunkStart += CHUNK.toMillis()) {
                List<String> world = new ShopSimulator(ShopSimulator.Options.defaults().withSeed(seed).withTenants(tenants)
                        .withRequestsPerTenant(REQUESTS_PER_CHUNK).withStartMs(chunkStart)).lines();
                try {
                    ready.put(world);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            while (!stopping) {
                List<String> world = ready.take();
                long begin = System.nanoTime();
                long spacingNanos = CHUNK.toNanos() / Math.max(1, world.size());
                for (int i = 0; i < world.size() && !stopping; i++) {
                    long due = begin + i * spacingNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        Thread.sleep(wait / 1_000_000);
                    }
                    String line = world.get(i);
                    producer.send(new ProducerRecord<>(topic, line.getBytes(StandardCharsets.UTF_8)));
                    Matcher trace = TRACE_ID.matcher(line);
                    if (trace.find()) {
                        lastSpanProducedAt.put(trace.group(1), System.currentTimeMillis());
                    }
                    produced.incrementAndGet();
                }
                // Traces older than the horizon cannot be in a first revision any more.
                long forgetBefore = System.currentTimeMillis() - settings.horizon().toMillis() * 2;
                lastSpanProducedAt.values().removeIf(at -> at < forgetBefore);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        maker.interrupt();
    }

    /** First revisions as a read_committed consumer sees them, each one's latency from its last span produced. */
    private void readTransactions(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.GROUP_ID_CONFIG, run + "-reader",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (true) {
                boolean none = true;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    none = false;
                    if (record.value() != null) {
                        firstRevision(record.value(), System.currentTimeMillis());
                    }
                }
                if (none && jobDone) {
                    return;
                }
            }
        }
    }

    private void firstRevision(byte[] line, long committedAt) {
        try {
            JsonNode transaction = JSON.readTree(line);
            if (transaction.path("revision").asInt() != 1) {
                return;
            }
            long last = Long.MIN_VALUE;
            for (JsonNode trace : transaction.path("traceIds")) {
                last = Math.max(last, lastSpanProducedAt.getOrDefault(trace.asText(), Long.MIN_VALUE));
            }
            if (last != Long.MIN_VALUE) {
                latenciesMs.add(committedAt - last);
            }
        } catch (IOException e) {
            throw new IllegalStateException("the job wrote a line that is not JSON", e);
        }
    }

    private List<String> latencyReport() {
        List<Long> sorted = new ArrayList<>(latenciesMs);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return List.of("", "No first revision was read.", "");
        }
        return List.of("", String.format(Locale.ROOT,
                "Latency, last span produced → first revision committed and read (%,d transactions): "
                        + "p50 %.1f s, p90 %.1f s, p99 %.1f s, max %.1f s",
                sorted.size(), pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99), sorted.get(sorted.size() - 1) / 1000.0), "");
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(p * sorted.size()))) / 1000.0;
    }

    private static JsonNode checkpoints(HttpClient http, int port, JobClient job) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/jobs/" + job.getJobID() + "/checkpoints")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static String mib(JsonNode bytes) {
        return bytes.isMissingNode() ? "–" : String.format(Locale.ROOT, "%.1f MiB", bytes.asLong() / (1024.0 * 1024.0));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Thread daemon(String name, ThrowingRunnable body) {
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Exception e) {
                throw new IllegalStateException(name + " failed", e);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
