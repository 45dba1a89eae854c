package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.config.RunConfigLoader;
import io.tracestitch.config.RunOptions;
import io.tracestitch.testing.KafkaBroker;
import io.tracestitch.testing.KafkaTopics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/metrics.md} against what Prometheus really gets: the {@code run} job reading a real
 * Kafka broker, on a MiniCluster with Flink's Prometheus reporter, scraped over HTTP while it runs.
 * Every metric name the document mentions must be in the scrape, every exact label next to one
 * ({@code name{operator_name="…"}}) must match a series, and its table of TraceStitch's counters
 * must list exactly the counters the code registers. The deployment files must switch on the same
 * reporter, on the port that their scrape settings name.
 */
class PrometheusMetricsTest {

    private static final Path DOC = Path.of("docs", "metrics.md");
    private static final String COUNTER_TABLE = "## TraceStitch's counters";
    /** Named by the document, which says why this job cannot show them. */
    private static final Set<String> NOT_IN_RUN = Set.of(
            "flink_taskmanager_job_task_operator_KinesisConsumer_stream_shardId_millisBehindLatest");

    private static final int PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(reporting())
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    /** The cluster settings of deploy/ that decide which metrics exist and what they are called. */
    private static Configuration reporting() {
        Configuration conf = new Configuration();
        conf.setString("metrics.reporter.prom.factory.class", PrometheusReporterFactory.class.getName());
        conf.setString("metrics.reporter.prom.port", Integer.toString(PORT));
        conf.setString("state.backend.rocksdb.metrics.estimate-live-data-size", "true");
        conf.setString("state.backend.rocksdb.metrics.total-sst-files-size", "true");
        conf.setString("state.backend.rocksdb.metrics.column-family-as-variable", "true");
        // RocksDB warns about every instance path longer than its log file name limit; JUnit's are.
        try {
            File tmp = Files.createTempDirectory("ts-metrics").toFile();
            tmp.deleteOnExit();
            conf.setString("io.tmp.dirs", tmp.getPath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return conf;
    }

    @Test
    void theCounterTableListsExactlyTheCountersTheCodeRegisters() throws IOException {
        assertThat(documentedCounters()).as("counters in %s's table '%s'", DOC, COUNTER_TABLE)
                .isEqualTo(registeredCounters());
    }

    @Test
    void everyMetricTheDocumentNamesIsScrapedFromTheRunningJob(@TempDir Path dir) throws Exception {
        String doc = Files.readString(DOC);
        Set<String> named = metricNames(doc);
        List<Selector> selectors = exactSelectors(doc);
        assertThat(named).as("metric names in %s", DOC).hasSizeGreaterThan(40);

        List<String> lines = Files.readAllLines(Path.of("src/test/resources/samples/formats.ndjson"));
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("in", 2);
            kafka.createTopic("transactions", 2);
            kafka.createTopic("dead-letters", 1);
            kafka.createTopic("otlp", 1);
            KafkaTopics.produce(kafka.bootstrapServers(), "in", 2, KafkaTopics.utf8(lines));
            // Endless input (not input.bounded), so the job runs until it has been scraped.
            Path file = Files.writeString(dir.resolve("run.yaml"), String.join("\n",
                    "kafka.bootstrap-servers: " + kafka.bootstrapServers(),
                    "input.kafka.topics: in", "input.kafka.group-id: metrics", "input.kafka.start: earliest",
                    "output.kafka.topic: transactions", "output.kafka.dead-letter-topic: dead-letters",
                    "output.kafka.otlp-topic: otlp", "checkpoint.interval: 500ms", "checkpoint.dir: " + dir.resolve("checkpoints").toUri(),
                    "state.backend: rocksdb", "parallelism: 2", ""));
            RunConfig config = RunConfigLoader.load(file, List.of(), Map.of()).config();

            JobClient job = StreamingRun.start(config, null);
            List<Sample> scrape;
            try {
                // Some metrics appear only with the first record, watermark or checkpoint: scrape until all are there.
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                do {
                    Thread.sleep(500);
                    scrape = scrape();
                } while (System.nanoTime() < deadline && !(complete(scrape, named, selectors)
                        && sum(scrape, "flink_taskmanager_job_task_operator_deserializer_recordsIn") == lines.size()
                        && sum(scrape, "flink_jobmanager_job_numberOfCompletedCheckpoints") >= 1));
            } finally {
                // Stop the job while its broker is still there, or its producers keep retrying it.
                job.cancel().get();
                while (!job.getJobStatus().get().isGloballyTerminalState()) {
                    Thread.sleep(100);
                }
            }

            List<Sample> seen = scrape;
            Set<String> missing = new TreeSet<>(named);
            missing.removeAll(NOT_IN_RUN);
            missing.removeAll(names(seen));
            assertThat(missing).as("metrics %s names that the running job does not export", DOC).isEmpty();
            List<Selector> unmatched = selectors.stream().filter(s -> !NOT_IN_RUN.contains(s.name()))
                    .filter(s -> seen.stream().noneMatch(s::matches)).toList();
            assertThat(unmatched).as("series in %s that match none of the job's", DOC).isEmpty();
            assertThat(sum(seen, "flink_taskmanager_job_task_operator_deserializer_recordsIn"))
                    .as("recordsIn counts every record of the topic").isEqualTo(lines.size());
            assertThat(sum(seen, "flink_taskmanager_job_task_operator_spans")).as("spans").isPositive();
            // The reporter turns every character Prometheus does not allow in a label value into '_'.
            String jobName = StreamingRun.JOB_NAME.replaceAll("[^a-zA-Z0-9:_]", "_");
            assertThat(doc).contains("job_name=\"" + jobName + "\"");
            assertThat(seen).as("job_name of every job series").filteredOn(s -> s.name().startsWith("flink_jobmanager_job_"))
                    .isNotEmpty().allMatch(s -> jobName.equals(s.labels().get("job_name")));
        }
    }

    @Test
    void theDeploymentFilesSwitchOnThisReporterWhereTheirScrapeSettingsLook(@TempDir Path dir) throws IOException {
        String flink = EnvironmentInformation.getVersion();
        String dockerfile = Files.readString(Path.of("deploy", "Dockerfile"));
        assertThat(dockerfile).as("deploy/Dockerfile").contains("FROM flink:" + flink + "-java17")
                .containsPattern("cp /opt/flink/opt/flink-metrics-prometheus-" + Pattern.quote(flink)
                        + "\\.jar /opt/flink/plugins/metrics-prometheus/");

        Map<String, JsonNode> byKind = new HashMap<>();
        try (var docs = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(
                Path.of("deploy", "k8s", "flinkdeployment.yaml").toFile())) {
            docs.forEachRemaining(doc -> byKind.put(doc.path("kind").asText(), doc));
        }
        JsonNode spec = byKind.get("FlinkDeployment").path("spec");
        JsonNode flinkConfiguration = spec.path("flinkConfiguration");
        assertThat(flinkConfiguration.path("metrics.reporter.prom.factory.class").asText())
                .isEqualTo(PrometheusReporterFactory.class.getName());
        String port = flinkConfiguration.path("metrics.reporter.prom.port").asText();
        assertThat(port).isEqualTo("9249");
        JsonNode pod = spec.path("podTemplate");
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText()).isEqualTo(port);
        assertThat(pod.path("metadata").path("annotations").path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(pod.path("spec").path("containers").get(0).path("ports").get(0).path("containerPort").asText())
                .isEqualTo(port);
        assertThat(pod.path("spec").path("enableServiceLinks").asBoolean(true))
                .as("no TRACESTITCH_*_SERVICE_HOST variables for run to refuse").isFalse();

        // The job reads the ConfigMap where it is mounted, and run accepts what it holds.
        JsonNode jobManager = spec.path("jobManager").path("podTemplate").path("spec");
        JsonNode configMap = byKind.get("ConfigMap");
        String mountPath = jobManager.path("containers").get(0).path("volumeMounts").get(0).path("mountPath").asText();
        assertThat(jobManager.path("volumes").get(0).path("configMap").path("name").asText())
                .isEqualTo(configMap.path("metadata").path("name").asText());
        String key = configMap.path("data").fieldNames().next();
        assertThat(spec.path("job").path("args").toString())
                .isEqualTo("[\"run\",\"--config\",\"" + mountPath + "/" + key + "\"]");
        Map<String, String> env = new TreeMap<>();
        jobManager.path("containers").get(0).path("env").forEach(variable -> env.put(variable.path("name").asText(), "secret"));
        assertThat(env.keySet()).allMatch(name -> RunOptions.keyOfEnv(name).isPresent());
        Path runConfig = Files.writeString(dir.resolve(key),
                configMap.path("data").path(key).asText().replaceAll("<([^>]*)>", "$1"));
        RunConfig loaded = RunConfigLoader.load(runConfig, List.of(), env).config();
        assertThat(loaded.stateBackend().text()).as("the run config's state backend").isEqualTo(
                flinkConfiguration.path("state.backend.type").asText());

        Configuration session = GlobalConfiguration.loadConfiguration(Path.of("deploy", "cluster").toString());
        assertThat(session.toMap()).containsEntry("metrics.reporter.prom.factory.class",
                PrometheusReporterFactory.class.getName());
        assertThat(session.toMap().get("metrics.reporter.prom.port")).startsWith(port);
    }

    /** One series of a scrape: its name, its labels and its value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** A series as the document writes it, {@code name{label="value",…}}, with its exact labels only. */
    record Selector(String name, Map<String, String> labels) {
        boolean matches(Sample sample) {
            return sample.name().equals(name) && labels.entrySet().stream()
                    .allMatch(label -> label.getValue().equals(sample.labels().get(label.getKey())));
        }
    }

    private static final Pattern METRIC_NAME = Pattern.compile("\\bflink_[A-Za-z0-9_]+");
    private static final Pattern SELECTOR = Pattern.compile("(flink_[A-Za-z0-9_]*[A-Za-z0-9])\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!=|!~|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern SAMPLE = Pattern.compile("^([A-Za-z_:][A-Za-z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");

    /** Every metric name anywhere in the document, prose and rules alike; "flink_…_" prefixes are not names. */
    static Set<String> metricNames(String doc) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC_NAME.matcher(doc);
        while (matcher.find()) {
            if (!matcher.group().endsWith("_")) {
                names.add(matcher.group());
            }
        }
        return names;
    }

    /**
     * Every {@code name{…}} of the document with its {@code label="value"} matchers; {@code =~} and
     * the like are skipped, and so are placeholders ({@code topic="<t>"}).
     */
    static List<Selector> exactSelectors(String doc) {
        List<Selector> selectors = new ArrayList<>();
        Matcher selector = SELECTOR.matcher(doc);
        while (selector.find()) {
            Map<String, String> labels = new TreeMap<>();
            Matcher matcher = MATCHER.matcher(selector.group(2));
            while (matcher.find()) {
                if (matcher.group(2).equals("=") && !matcher.group(3).contains("<")) {
                    labels.put(matcher.group(1), matcher.group(3));
                }
            }
            selectors.add(new Selector(selector.group(1), labels));
        }
        return selectors;
    }

    /** The first column of the counter table: {@code | `name` | …}. */
    static Set<String> documentedCounters() throws IOException {
        List<String> lines = Files.readAllLines(DOC);
        int heading = lines.indexOf(COUNTER_TABLE);
        assertThat(heading).as("%s has a section '%s'", DOC, COUNTER_TABLE).isNotNegative();
        Set<String> counters = new TreeSet<>();
        Pattern row = Pattern.compile("^\\| `([A-Za-z0-9]+)` \\|");
        for (String line : lines.subList(heading + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher matcher = row.matcher(line);
            if (matcher.find()) {
                counters.add(matcher.group(1));
            }
        }
        return counters;
    }

    /** Counter names in the code: {@code new Tally(context, "name")} and {@code group.counter("name")}. */
    static Set<String> registeredCounters() throws IOException {
        Pattern registration = Pattern.compile("(?:new Tally\\([^,()]*(?:\\([^()]*\\))?[^,()]*,|\\.counter\\()\\s*\"([^\"]+)\"");
        Set<String> counters = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher matcher = registration.matcher(Files.readString(file));
                while (matcher.find()) {
                    counters.add(matcher.group(1));
                }
            }
        }
        assertThat(counters).as("counters found in src/main/java").contains("recordsIn", "spans");
        return counters;
    }

    private static boolean complete(List<Sample> scrape, Set<String> named, List<Selector> selectors) {
        Set<String> names = names(scrape);
        return named.stream().allMatch(name -> NOT_IN_RUN.contains(name) || names.contains(name))
                && selectors.stream().allMatch(s -> NOT_IN_RUN.contains(s.name()) || scrape.stream().anyMatch(s::matches));
    }

    private static Set<String> names(List<Sample> scrape) {
        Set<String> names = new TreeSet<>();
        scrape.forEach(sample -> names.add(sample.name()));
        return names;
    }

    private static double sum(List<Sample> scrape, String name) {
        return scrape.stream().filter(sample -> sample.name().equals(name)).mapToDouble(Sample::value).sum();
    }

    private static List<Sample> scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("GET /metrics").isEqualTo(200);
        List<Sample> samples = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (line.startsWith("#") || !sample.find()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            if (sample.group(2) != null) {
                Matcher label = MATCHER.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(3));
                }
            }
            String value = sample.group(3);
            samples.add(new Sample(sample.group(1), labels,
                    value.endsWith("Inf") ? (value.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                            : Double.parseDouble(value)));
        }
        return samples;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
