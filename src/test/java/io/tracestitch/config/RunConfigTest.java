package io.tracestitch.config;

import io.tracestitch.config.RunConfig.KafkaStart;
import io.tracestitch.config.RunConfig.KinesisFormat;
import io.tracestitch.config.RunConfig.KinesisStart;
import io.tracestitch.config.RunConfig.StateBackend;
import io.tracestitch.testing.ReadmeTables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * run's configuration: flattening, precedence (--set over environment over file over defaults),
 * every refusal with its one-line message naming the key and its source, that no Kafka client
 * property's value ever shows, and the README's key table kept equal to the keys the loader takes.
 */
class RunConfigTest {

    private static final String SECRET = "s3cr3t-Hunter2";

    /** The least a valid configuration holds. */
    private static final String MINIMAL = """
            kafka.bootstrap-servers: broker:9092
            input.kafka.topics: spans
            input.kafka.group-id: tracestitch
            output.kafka.topic: transactions
            output.kafka.dead-letter-topic: dead-letters
            """;

    @TempDir
    Path dir;

    private Path file(String name, String content) throws Exception {
        return Files.writeString(dir.resolve(name), content);
    }

    private Path minimal() throws Exception {
        return file("run.yaml", MINIMAL);
    }

    private static RunConfigLoader.Loaded load(Path file, String... sets) {
        return RunConfigLoader.load(file, List.of(sets), Map.of());
    }

    /** The one-line message of a refusal. */
    private static String refusal(Path file, Map<String, String> env, String... sets) {
        RunConfigException refused = catchThrowableOfType(RunConfigException.class,
                () -> RunConfigLoader.load(file, List.of(sets), env));
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.getMessage()).doesNotContain("\n", "\r");
        return refused.getMessage();
    }

    private static String refusal(Path file, String... sets) {
        return refusal(file, Map.of(), sets);
    }

    // Reading the sources.

    @Test
    void theLeastConfigurationGetsEveryDefault() throws Exception {
        RunConfig config = load(minimal()).config();
        assertThat(config.bootstrapServers()).containsExactly("broker:9092");
        assertThat(config.kafkaInput()).isEqualTo(new RunConfig.KafkaInput(List.of("spans"), "tracestitch", KafkaStart.COMMITTED,
                Map.of("spans", RecordFormat.NDJSON), "cloud.account.id"));
        assertThat(config.kinesisInput()).isNull();
        assertThat(config.bounded()).isFalse();
        assertThat(config.outputTopic()).isEqualTo("transactions");
        assertThat(config.deadLetterTopic()).isEqualTo("dead-letters");
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.checkpointDir()).isNull();
        assertThat(config.stateBackend()).isEqualTo(StateBackend.HASHMAP);
        assertThat(config.parallelism()).isNull();
        assertThat(config.kafkaProperties().byName()).isEmpty();
        StitchConfig defaults = StitchConfig.defaults();
        assertThat(config.stitch()).isEqualTo(new StitchConfig(defaults.gapMs(), defaults.maxHopDelayMs(),
                defaults.outOfOrdernessMs(), RunOptions.DEFAULT_HORIZON, defaults.maxSpansPerTransaction(),
                defaults.maxSidesPerKey(), defaults.includeSpans()));
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Path file = file("full.yaml", """
                kafka:
                  bootstrap-servers: b1:9092, [::1]:9093
                  properties:
                    security.protocol: SASL_SSL
                input:
                  kafka: {topics: 'a,b', group-id: g, start: latest, format: otlp_proto}
                  otlp: {tenant-attribute: tenant.id}
                  kinesis:
                    streams: [s1, 'arn:aws:kinesis:eu-west-1:123456789012:stream/s2']
                    region: eu-west-1
                    endpoint: http://localhost:4566
                    format: cloudwatch-logs
                    start: trim-horizon
                output: {kafka: {topic: out, dead-letter-topic: dead}}
                checkpoint: {interval: 1min, dir: 's3://bucket/checkpoints'}
                state.backend: rocksdb
                parallelism: 6
                gap: 5s
                max-hop-delay: 1min
                out-of-orderness: 2s
                horizon: 2h
                max-spans: 50
                max-sides-per-key: 7
                include-spans: false
                """);
        RunConfig config = load(file).config();
        assertThat(config.bootstrapServers()).containsExactly("b1:9092", "[::1]:9093");
        assertThat(config.kafkaProperties().byName()).containsExactly(Map.entry("security.protocol", "SASL_SSL"));
        assertThat(config.kafkaInput()).isEqualTo(new RunConfig.KafkaInput(List.of("a", "b"), "g", KafkaStart.LATEST,
                Map.of("a", RecordFormat.OTLP_PROTO, "b", RecordFormat.OTLP_PROTO), "tenant.id"));
        assertThat(config.kinesisInput()).isEqualTo(new RunConfig.KinesisInput(
                List.of("s1", "arn:aws:kinesis:eu-west-1:123456789012:stream/s2"), "eu-west-1",
                URI.create("http://localhost:4566"), KinesisFormat.CLOUDWATCH_LOGS, KinesisStart.TRIM_HORIZON, "tenant.id"));
        assertThat(config.kinesisInput().streamNames()).containsExactly("s1", "s2");
        assertThat(config.outputTopic()).isEqualTo("out");
        assertThat(config.deadLetterTopic()).isEqualTo("dead");
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(config.checkpointDir()).isEqualTo("s3://bucket/checkpoints");
        assertThat(config.stateBackend()).isEqualTo(StateBackend.ROCKSDB);
        assertThat(config.parallelism()).isEqualTo(6);
        assertThat(config.stitch()).isEqualTo(new StitchConfig(5_000, 60_000, 2_000, Duration.ofHours(2), 50, 7, false));
    }

    @Test
    void nestedYamlDottedYamlAndPropertiesAreTheSame() throws Exception {
        Path nested = file("nested.yaml", """
                kafka:
                  bootstrap-servers: broker:9092
                  properties:
                    sasl:
                      mechanism: PLAIN
                input:
                  kafka:
                    topics: [spans, logs]
                    group-id: tracestitch
                output:
                  kafka:
                    topic: transactions
                    dead-letter-topic: dead-letters
                checkpoint:
                  interval: 30s
                """);
        Path dotted = file("dotted.yml", """
                kafka.bootstrap-servers: broker:9092
                kafka.properties.sasl.mechanism: PLAIN
                input.kafka.topics: spans,logs
                input.kafka.group-id: tracestitch
                output.kafka.topic: transactions
                output.kafka.dead-letter-topic: dead-letters
                checkpoint.interval: 30s
                """);
        Path mixed = file("mixed.yaml", """
                kafka.bootstrap-servers: broker:9092
                kafka.properties: {sasl.mechanism: PLAIN}
                input.kafka:
                  topics: spans, logs
                  group-id: tracestitch
                output: {kafka.topic: transactions, kafka.dead-letter-topic: dead-letters}
                checkpoint.interval: 30s
                """);
        Path properties = file("run.properties", """
                # the same in Java properties
                kafka.bootstrap-servers = broker:9092
                kafka.properties.sasl.mechanism = PLAIN
                input.kafka.topics = spans,logs
                input.kafka.group-id = tracestitch
                output.kafka.topic: transactions
                output.kafka.dead-letter-topic   dead-letters
                checkpoint.interval=30s
                """);
        RunConfig expected = load(nested).config();
        assertThat(expected.kafkaInput().topics()).containsExactly("spans", "logs");
        assertThat(expected.kafkaProperties().byName()).containsExactly(Map.entry("sasl.mechanism", "PLAIN"));
        for (Path same : List.of(dotted, mixed, properties)) {
            assertThat(load(same).config()).as(same.toString()).isEqualTo(expected);
        }
        assertThat(RunConfigLoader.readFile(nested)).isEqualTo(RunConfigLoader.readFile(properties));
    }

    /** What was written is what is read: no YAML 1.1 octal, booleans or floats in between. */
    @Test
    void yamlScalarsAreTakenAsWritten() throws Exception {
        Path file = file("scalars.yaml", "parallelism: 010\ninput.bounded: true\ngap: 1e3\n");
        assertThat(RunConfigLoader.readFile(file)).containsExactly(Map.entry("parallelism", "010"),
                Map.entry("input.bounded", "true"), Map.entry("gap", "1e3"));
        assertThat(refusal(file)).startsWith("gap: '1e3' is not a duration");
    }

    @Test
    void anAbsoluteCheckpointPathBecomesAFileUri() throws Exception {
        // Flink's checkpoint storage refuses a path without a scheme.
        assertThat(load(minimal(), "checkpoint.dir=/var/lib/tracestitch/checkpoints").config().checkpointDir())
                .isEqualTo("file:///var/lib/tracestitch/checkpoints");
        assertThat(load(minimal(), "checkpoint.dir=hdfs://nn/checkpoints").config().checkpointDir())
                .isEqualTo("hdfs://nn/checkpoints");
    }

    @Test
    void anEmptyFileHoldsNoSettings() throws Exception {
        assertThat(RunConfigLoader.readFile(file("empty.yaml", ""))).isEmpty();
        assertThat(RunConfigLoader.readFile(file("comments.yaml", "# nothing yet\n"))).isEmpty();
        assertThat(RunConfigLoader.readFile(file("empty.properties", ""))).isEmpty();
        assertThat(refusal(dir.resolve("empty.yaml"))).isEqualTo("input.kafka.topics or input.kinesis.streams is required: "
                + "the job needs an input");
    }

    // Precedence.

    @Test
    void setBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        Path file = file("run.yaml", MINIMAL + "gap: 1s\nout-of-orderness: 2s\nmax-hop-delay: 3s\n");
        Map<String, String> env = Map.of("TRACESTITCH_GAP", "11s", "TRACESTITCH_OUT_OF_ORDERNESS", "12s");
        RunConfigLoader.Loaded loaded = RunConfigLoader.load(file, List.of("gap=21s"), env);
        assertThat(loaded.config().stitch().gapMs()).isEqualTo(21_000); // --set over env over file
        assertThat(loaded.config().stitch().outOfOrdernessMs()).isEqualTo(12_000); // env over file
        assertThat(loaded.config().stitch().maxHopDelayMs()).isEqualTo(3_000); // file over default
        assertThat(loaded.config().stitch().maxSidesPerKey()).isEqualTo(1_000); // default
        assertThat(loaded.describe()).anySatisfy(line -> assertThat(line).matches("gap += 21s +\\(--set\\)"))
                .anySatisfy(line -> assertThat(line).matches("out-of-orderness += 12s +\\(env TRACESTITCH_OUT_OF_ORDERNESS\\)"))
                .anySatisfy(line -> assertThat(line).matches("max-hop-delay += 3s +\\(file " + file + "\\)"))
                .anySatisfy(line -> assertThat(line).matches("max-sides-per-key += 1000 +\\(default\\)"))
                .anySatisfy(line -> assertThat(line).matches("checkpoint.dir += \\(not set\\) +\\(default\\)"));
    }

    @Test
    void aLayerOverridesEvenAValueThatWouldBeRefused() throws Exception {
        Path file = file("run.yaml", MINIMAL + "input.kafka.start: newest\n");
        assertThat(refusal(file)).contains("input.kafka.start");
        assertThat(load(file, "input.kafka.start=earliest").config().kafkaInput().start()).isEqualTo(KafkaStart.EARLIEST);
        assertThat(RunConfigLoader.load(file, List.of(), Map.of("TRACESTITCH_INPUT_KAFKA_START", "latest"))
                .config().kafkaInput().start()).isEqualTo(KafkaStart.LATEST);
    }

    @Test
    void environmentVariablesNameKeysUpperCasedWithUnderscores() throws Exception {
        Path empty = file("empty.yaml", "");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRACESTITCH_KAFKA_BOOTSTRAP_SERVERS", "broker:9092");
        env.put("TRACESTITCH_INPUT_KAFKA_TOPICS", "spans");
        env.put("TRACESTITCH_INPUT_KAFKA_GROUP_ID", "g");
        env.put("TRACESTITCH_OUTPUT_KAFKA_TOPIC", "out");
        env.put("TRACESTITCH_OUTPUT_KAFKA_DEAD_LETTER_TOPIC", "dead");
        env.put("TRACESTITCH_MAX_SIDES_PER_KEY", "9");
        env.put("TRACESTITCH_KAFKA_PROPERTIES_SASL_JAAS_CONFIG", SECRET);
        env.put("PATH", "/usr/bin"); // not ours: ignored
        env.put("tracestitch_gap", "x"); // not ours either: the prefix is upper case
        RunConfig config = RunConfigLoader.load(empty, List.of(), env).config();
        assertThat(config.kafkaInput().groupId()).isEqualTo("g");
        assertThat(config.deadLetterTopic()).isEqualTo("dead");
        assertThat(config.stitch().maxSidesPerKey()).isEqualTo(9);
        assertThat(config.kafkaProperties().byName()).containsExactly(Map.entry("sasl.jaas.config", SECRET));

        assertThat(RunOptions.envName("input.kafka.group-id")).isEqualTo("TRACESTITCH_INPUT_KAFKA_GROUP_ID");
        Set<String> names = new HashSet<>();
        for (ConfigOption<?> option : RunOptions.ALL) {
            assertThat(names.add(RunOptions.envName(option.key()))).as("one variable per key").isTrue();
            assertThat(RunOptions.keyOfEnv(RunOptions.envName(option.key()))).contains(option.key());
        }
    }

    @Test
    void anEnvironmentVariableOfOursThatNamesNoKeyIsRefused() throws Exception {
        assertThat(refusal(minimal(), Map.of("TRACESTITCH_KAFKA_BOOTSTRAP_SERVER", "b:1")))
                .isEqualTo("environment variable TRACESTITCH_KAFKA_BOOTSTRAP_SERVER names no key of run "
                        + "(did you mean TRACESTITCH_KAFKA_BOOTSTRAP_SERVERS?)");
        assertThat(refusal(minimal(), Map.of("TRACESTITCH_KAFKA_PROPERTIES_", "x")))
                .startsWith("environment variable TRACESTITCH_KAFKA_PROPERTIES_ names no key of run");
        assertThat(refusal(minimal(), Map.of("TRACESTITCH_GAP", " ")))
                .isEqualTo("gap has no value (from environment variable TRACESTITCH_GAP)");
    }

    // Refusals: every one names the key and where its value came from.

    @Test
    void eachKafkaTopicMayHaveItsOwnFormat() throws Exception {
        Path file = minimal();
        assertThat(load(file, "input.kafka.topics=otlp_spans,logs", "input.kafka.format=otlp_spans = otlp_proto")
                .config().kafkaInput().formatByTopic())
                .isEqualTo(Map.of("otlp_spans", RecordFormat.OTLP_PROTO, "logs", RecordFormat.NDJSON));
        assertThat(load(file, "input.kafka.topics=a,b", "input.kafka.format=otlp_json").config().kafkaInput().formatByTopic())
                .isEqualTo(Map.of("a", RecordFormat.OTLP_JSON, "b", RecordFormat.OTLP_JSON));
    }

    @Test
    void badValuesAreRefusedNamingTheKeyAndTheSource() throws Exception {
        String[][] cases = {
                {"kafka.bootstrap-servers", "broker", "kafka.bootstrap-servers: 'broker' is not host:port (a port from 1 to 65535)"},
                {"kafka.bootstrap-servers", "b:0", "kafka.bootstrap-servers: 'b:0' is not host:port"},
                {"kafka.bootstrap-servers", "b:65536", "is not host:port"},
                {"kafka.bootstrap-servers", "a:1,,b:2", "kafka.bootstrap-servers: an empty entry in 'a:1,,b:2'"},
                {"kafka.bootstrap-servers", "a:1,a:1", "kafka.bootstrap-servers: 'a:1' is given twice"},
                {"input.kafka.topics", "spans,bad topic", "input.kafka.topics: 'bad topic' is not a Kafka topic name"},
                {"input.kafka.topics", "..", "is not a Kafka topic name"},
                {"input.kafka.topics", "t".repeat(250), "is not a Kafka topic name"},
                {"input.kafka.group-id", "a\u0007b", "input.kafka.group-id holds a control character"},
                {"input.kafka.start", "newest", "input.kafka.start: 'newest' is not earliest, latest or committed"},
                {"input.kafka.start", "EARLIEST", "input.kafka.start: 'EARLIEST' is not earliest, latest or committed"},
                {"input.bounded", "yes", "input.bounded: 'yes' is not true or false"},
                {"input.kinesis.streams", "a/b", "input.kinesis.streams: 'a/b' is neither a Kinesis stream name"},
                {"input.kinesis.region", "mars", "input.kinesis.region: 'mars' is not an AWS region such as us-east-1"},
                {"input.kinesis.endpoint", "localhost:4566", "input.kinesis.endpoint: 'localhost:4566' is not an http or https URL"},
                {"input.kinesis.endpoint", "ftp://x", "is not an http or https URL"},
                {"input.kinesis.endpoint", "http://", "is not an http or https URL"},
                {"input.kinesis.format", "json", "input.kinesis.format: 'json' is not ndjson, cloudwatch-logs, otlp_proto or otlp_json"},
                {"input.kafka.format", "otlp", "input.kafka.format: 'otlp' is not ndjson, otlp_proto or otlp_json"},
                {"input.kafka.format", "spans=otlp", "input.kafka.format: 'otlp' is not ndjson, otlp_proto or otlp_json"},
                {"input.kafka.format", "logs=otlp_proto",
                        "input.kafka.format: 'logs=otlp_proto' is not <topic>=<format> for a topic of input.kafka.topics"},
                {"input.kafka.format", "spans=otlp_proto,spans=ndjson", "input.kafka.format: topic 'spans' is given twice"},
                {"input.kafka.format", "spans=otlp_proto,", "input.kafka.format: an empty entry in 'spans=otlp_proto,'"},
                {"input.otlp.tenant-attribute", "a".repeat(257), "input.otlp.tenant-attribute: an attribute name of at most 256 characters"},
                {"output.kafka.topic", "a,b", "output.kafka.topic: 'a,b' is not a Kafka topic name"},
                {"output.kafka.dead-letter-topic", "dead letters", "output.kafka.dead-letter-topic: 'dead letters' is not"},
                {"checkpoint.interval", "10", "checkpoint.interval: '10' has no unit; write e.g. 10s (units: ms, s, m or min, h, d)"},
                {"checkpoint.interval", "5ms", "checkpoint.interval must be from 10ms to 36500d, got 5ms"},
                {"checkpoint.interval", "often", "checkpoint.interval: 'often' is not a duration"},
                {"checkpoint.dir", "checkpoints", "checkpoint.dir: 'checkpoints' is neither a URI with a scheme"},
                {"state.backend", "RocksDB", "state.backend: 'RocksDB' is not hashmap or rocksdb"},
                {"parallelism", "0", "parallelism must be from 1 to 32768, got 0"},
                {"parallelism", "40000", "parallelism must be from 1 to 32768, got 40000"},
                {"parallelism", "two", "parallelism: 'two' is not a whole number"},
                {"gap", "30", "gap: '30' has no unit; write e.g. 30s"},
                {"max-hop-delay", "300", "max-hop-delay: '300' has no unit"},
                {"out-of-orderness", "soon", "out-of-orderness: 'soon' is not a duration"},
                {"horizon", "60", "horizon: '60' has no unit"},
                {"horizon", "1min", "horizon must be at least gap + out-of-orderness + max-hop-delay = 340s, got 1min"},
                {"max-spans", "0", "max-spans must be at least 1, got 0"},
                {"max-sides-per-key", "x", "max-sides-per-key: 'x' is not a whole number"},
                {"include-spans", "no", "include-spans: 'no' is not true or false"},
                {"gap", "9".repeat(1000) + "s", "gap: '" + "9".repeat(37) + "…' is not a duration"},
        };
        Path file = minimal();
        for (String[] bad : cases) {
            String key = bad[0];
            String value = bad[1];
            assertThat(refusal(file, key + "=" + value)).as(key + "=" + value)
                    .contains(bad[2]).endsWith(" (from --set)").hasSizeLessThan(220);
            assertThat(refusal(file, Map.of(RunOptions.envName(key), value))).as(key + "=" + value)
                    .contains(bad[2]).endsWith(" (from environment variable " + RunOptions.envName(key) + ")");
            String others = MINIMAL.lines().filter(line -> !line.startsWith(key + ":")).map(line -> line.replace(": ", "=") + "\n")
                    .reduce("", String::concat);
            Path inFile = file("bad.properties", others + key + "=" + value + "\n");
            assertThat(refusal(inFile)).as(key + "=" + value).contains(bad[2]).endsWith(" (in " + inFile + ")");
        }
    }

    @Test
    void everyRequiredKeyIsRefusedWhenMissing() throws Exception {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("input.kafka.topics", "input.kafka.topics or input.kinesis.streams is required: the job needs an input");
        expected.put("output.kafka.topic", "output.kafka.topic is required");
        expected.put("output.kafka.dead-letter-topic",
                "output.kafka.dead-letter-topic is required: on endless input, lines the job cannot use must land somewhere");
        expected.put("kafka.bootstrap-servers", "kafka.bootstrap-servers is required: the output is Kafka");
        expected.put("input.kafka.group-id", "input.kafka.group-id is required with input.kafka.topics");
        for (Map.Entry<String, String> missing : expected.entrySet()) {
            String without = MINIMAL.lines().filter(line -> !line.startsWith(missing.getKey() + ":"))
                    .reduce("", (text, line) -> text + line + "\n");
            assertThat(refusal(file("run.yaml", without))).isEqualTo(missing.getValue());
        }
        Path kinesisOnly = file("kinesis.yaml", MINIMAL.replace("input.kafka.topics: spans\n", "input.kinesis.streams: spans\n"));
        assertThat(refusal(kinesisOnly)).isEqualTo("input.kinesis.region is required with input.kinesis.streams");
        RunConfig config = load(kinesisOnly, "input.kinesis.region=us-east-1").config();
        assertThat(config.kafkaInput()).isNull(); // group-id without topics is harmless
        assertThat(config.kinesisInput().format()).isEqualTo(KinesisFormat.NDJSON);
        assertThat(config.kinesisInput().start()).isEqualTo(KinesisStart.LATEST);
    }

    @Test
    void theKinesisInputStartsAtLatestOrTrimHorizon() throws Exception {
        Path kinesisOnly = file("kinesis.yaml", MINIMAL.replace("input.kafka.topics: spans\n",
                "input.kinesis.streams: spans\ninput.kinesis.region: us-east-1\n"));
        assertThat(load(kinesisOnly).config().kinesisInput().start()).isEqualTo(KinesisStart.LATEST);
        assertThat(load(kinesisOnly, "input.kinesis.start=trim-horizon").config().kinesisInput().start())
                .isEqualTo(KinesisStart.TRIM_HORIZON);
        assertThat(refusal(kinesisOnly, "input.kinesis.start=TRIM_HORIZON"))
                .isEqualTo("input.kinesis.start: 'TRIM_HORIZON' is not latest or trim-horizon (from --set)");
        assertThat(refusal(kinesisOnly, Map.of("TRACESTITCH_INPUT_KINESIS_START", "earliest")))
                .isEqualTo("input.kinesis.start: 'earliest' is not latest or trim-horizon "
                        + "(from environment variable TRACESTITCH_INPUT_KINESIS_START)");
    }

    @Test
    void streamArnsMustBeOfTheInputsRegionAndNameNoStreamTwice() throws Exception {
        Path kinesisOnly = file("kinesis.yaml", MINIMAL.replace("input.kafka.topics: spans\n",
                "input.kinesis.region: eu-west-1\n"));
        String arn = "arn:aws:kinesis:eu-west-1:123456789012:stream/logs";
        assertThat(load(kinesisOnly, "input.kinesis.streams=spans," + arn).config().kinesisInput().streamNames())
                .containsExactly("spans", "logs");
        assertThat(refusal(kinesisOnly, "input.kinesis.streams=arn:aws:kinesis:us-east-1:123456789012:stream/logs"))
                .isEqualTo("input.kinesis.streams: the ARN of stream 'logs' is in region "
                        + "us-east-1, but input.kinesis.region is eu-west-1 (one job reads streams of one region) (from --set)");
        assertThat(refusal(kinesisOnly, "input.kinesis.streams=logs," + arn))
                .isEqualTo("input.kinesis.streams: stream 'logs' is given twice (by name and ARN) (from --set)");
    }

    @Test
    void theJobMustNotReadWhatItWritesNorWriteBothOutputsToOneTopic() throws Exception {
        Path file = minimal();
        assertThat(refusal(file, "output.kafka.dead-letter-topic=transactions"))
                .isEqualTo("output.kafka.dead-letter-topic 'transactions' is also output.kafka.topic (from --set)");
        assertThat(refusal(file, "input.kafka.topics=spans,transactions")).isEqualTo("output.kafka.topic 'transactions' "
                + "is also in input.kafka.topics: the job would read what it writes (in " + file + ")");
        assertThat(refusal(file, "input.kafka.topics=dead-letters")).isEqualTo("output.kafka.dead-letter-topic "
                + "'dead-letters' is also in input.kafka.topics: the job would read what it writes (in " + file + ")");
    }

    @Test
    void theOtlpTopicIsOptionalProtobufByDefaultAndATopicOfItsOwn() throws Exception {
        Path file = minimal();
        assertThat(load(file).config().otlpOutput()).isNull();
        assertThat(load(file, "output.kafka.otlp-topic=otlp").config().otlpOutput())
                .isEqualTo(new RunConfig.OtlpOutput("otlp", RunConfig.OtlpEncoding.OTLP_PROTO));
        assertThat(load(file, "output.kafka.otlp-topic=otlp", "output.kafka.otlp-encoding=otlp_json").config()
                .otlpOutput().encoding()).isEqualTo(RunConfig.OtlpEncoding.OTLP_JSON);
        assertThat(refusal(file, "output.kafka.otlp-topic=otlp", "output.kafka.otlp-encoding=json"))
                .startsWith("output.kafka.otlp-encoding: 'json' is not otlp_proto or otlp_json");
        assertThat(refusal(file, "output.kafka.otlp-topic=transactions"))
                .isEqualTo("output.kafka.otlp-topic 'transactions' is also output.kafka.topic (from --set)");
        assertThat(refusal(file, "output.kafka.otlp-topic=spans", "input.kafka.topics=spans")).isEqualTo(
                "output.kafka.otlp-topic 'spans' is also in input.kafka.topics: the job would read what it writes (from --set)");
        assertThat(refusal(file, "output.kafka.otlp-topic=otlp", "include-spans=false"))
                .isEqualTo("output.kafka.otlp-topic needs the spans, and include-spans is false (from --set)");
    }

    @Test
    void boundedInputIsKafkaOnly() throws Exception {
        Path file = minimal();
        assertThat(load(file, "input.bounded=true").config().bounded()).isTrue();
        assertThat(refusal(file, "input.bounded=true", "input.kinesis.streams=s", "input.kinesis.region=us-east-1"))
                .isEqualTo("input.bounded true needs Kafka input only: a Kinesis stream has no end, and "
                        + "input.kinesis.streams is set (from --set)");
    }

    /** On endless input state must expire; bounded input keeps it to the end, as stitch does. */
    @Test
    void runDefaultsTheHorizonOnEndlessInputOnly() throws Exception {
        Path file = minimal();
        assertThat(load(file).config().stitch().horizon()).isEqualTo(Duration.ofHours(1));
        assertThat(load(file, "input.bounded=true").config().stitch().unboundedHorizon()).isTrue();
        assertThat(load(file, "input.bounded=true").describe())
                .anySatisfy(line -> assertThat(line).matches("horizon += \\(none: kept until the end of input\\) +\\(default\\)"));
        assertThat(load(file, "input.bounded=true", "horizon=2h").config().stitch().horizon()).hasHours(2);
        assertThat(load(file, "horizon=340s").config().stitch().horizon()).hasSeconds(340);
        assertThat(refusal(file, "max-hop-delay=2h")).isEqualTo("horizon must be at least gap + out-of-orderness + "
                + "max-hop-delay = 7240s, got 1h (run's default horizon; set horizon to at least that)");
        assertThat(load(file, "max-hop-delay=2h", "horizon=3h").config().stitch().maxHopDelayMs()).isEqualTo(7_200_000);
    }

    @Test
    void unknownKeysAreRefusedWithASuggestion() throws Exception {
        Path file = file("typo.yaml", MINIMAL + "kafka:\n  bootstrap-server: b:1\n");
        assertThat(refusal(file)).isEqualTo("unknown key 'kafka.bootstrap-server' (in " + file
                + "; did you mean kafka.bootstrap-servers?)");
        assertThat(refusal(minimal(), "gpa=5s")).isEqualTo("unknown key 'gpa' (from --set; did you mean gap?)");
        assertThat(refusal(minimal(), "input.kafka.topic=x"))
                .isEqualTo("unknown key 'input.kafka.topic' (from --set; did you mean input.kafka.topics?)");
        assertThat(refusal(minimal(), "stitch.gap=5s")).isEqualTo("unknown key 'stitch.gap' (from --set)");
        assertThat(refusal(minimal(), "kafka.properties.=x")).isEqualTo("unknown key 'kafka.properties.' (from --set)");
        Path properties = file("typo.properties", "checkpoint.intervall=10s\n");
        assertThat(refusal(properties)).isEqualTo("unknown key 'checkpoint.intervall' (in " + properties
                + "; did you mean checkpoint.interval?)");
    }

    @Test
    void setNeedsKeyEqualsValueOnceAndAValue() throws Exception {
        assertThat(refusal(minimal(), "gap")).isEqualTo("--set 'gap' is not key=value");
        assertThat(refusal(minimal(), "gap=5s", "gap=6s")).isEqualTo("gap is given twice with --set");
        assertThat(refusal(minimal(), "gap=")).isEqualTo("gap has no value (from --set)");
        assertThat(refusal(minimal(), "=5s")).isEqualTo("unknown key '' (from --set)");
        assertThat(load(minimal(), "kafka.properties.sasl.jaas.config=a=b; c=d").config().kafkaProperties().byName())
                .containsEntry("sasl.jaas.config", "a=b; c=d"); // split at the first '='
    }

    @Test
    void kafkaClientPropertiesThatHaveTheirOwnKeysAreRefused() throws Exception {
        assertThat(refusal(minimal(), "kafka.properties.bootstrap.servers=b:1"))
                .isEqualTo("kafka.properties.bootstrap.servers is refused: use kafka.bootstrap-servers (from --set)");
        assertThat(refusal(minimal(), "kafka.properties.group.id=g"))
                .isEqualTo("kafka.properties.group.id is refused: use input.kafka.group-id (from --set)");
    }

    // The file itself.

    @Test
    void aFileThatCannotBeReadOrIsNotAConfigurationIsRefusedInOneLine() throws Exception {
        Path missing = dir.resolve("missing.yaml");
        assertThat(refusal(missing)).isEqualTo("--config " + missing + " does not exist");
        Path sub = Files.createDirectories(dir.resolve("sub.yaml"));
        assertThat(refusal(sub)).isEqualTo("--config " + sub + " is a directory");
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.yaml"), dir.resolve("nowhere.yaml"));
        assertThat(refusal(dangling)).isEqualTo("--config " + dangling + " is a broken symbolic link");
        assertThat(refusal(Path.of(""))).isEqualTo("--config is an empty path");
        assertThat(refusal(Path.of("/dev/null"))).isEqualTo("--config /dev/null is not a regular file");
        Path json = file("run.json", "{}");
        assertThat(refusal(json)).isEqualTo("--config " + json + ": the name must end in .yaml, .yml or .properties");
        Path big = file("big.yaml", "# " + "x".repeat((int) RunConfigLoader.MOST_FILE_BYTES) + "\n");
        assertThat(refusal(big)).isEqualTo("--config " + big + " is larger than 1 MiB");
        Path latin1 = Files.write(dir.resolve("latin1.yaml"), new byte[] {'g', 'a', 'p', ':', ' ', (byte) 0xE9, '\n'});
        assertThat(refusal(latin1)).isEqualTo("--config " + latin1 + " is not UTF-8");
    }

    @Test
    void malformedFilesAreRefusedWithWhereAndWhat() throws Exception {
        Path unclosed = file("unclosed.yaml", "gap: \"5s\n");
        assertThat(refusal(unclosed)).startsWith("--config " + unclosed + " is not valid YAML: ").contains("at line ");
        Path tabs = file("tabs.yaml", "kafka:\n\tbootstrap-servers: b:1\n");
        assertThat(refusal(tabs)).startsWith("--config " + tabs + " is not valid YAML: ").contains("at line 2");
        Path scalar = file("scalar.yaml", "just text\n");
        assertThat(refusal(scalar)).isEqualTo("--config " + scalar + " is not a YAML mapping of keys to values");
        Path list = file("list.yaml", "- gap: 5s\n");
        assertThat(refusal(list)).isEqualTo("--config " + list + " is not a YAML mapping of keys to values");
        Path twoDocuments = file("two.yaml", MINIMAL + "---\ngap: 5s\n");
        assertThat(refusal(twoDocuments)).isEqualTo("--config " + twoDocuments + " holds more than one YAML document");
        Path duplicate = file("duplicate.yaml", MINIMAL + "gap: 5s\ngap: 6s\n");
        assertThat(refusal(duplicate)).isEqualTo("--config " + duplicate + " is not valid YAML: duplicate key 'gap' at line 7, column 4");
        Path flattenedTwice = file("twice.yaml", MINIMAL + "checkpoint.interval: 5s\ncheckpoint:\n  interval: 6s\n");
        assertThat(refusal(flattenedTwice)).isEqualTo("checkpoint.interval is given twice in " + flattenedTwice);
        Path listForOne = file("listed.yaml", MINIMAL + "gap: [5s, 6s]\n");
        assertThat(refusal(listForOne)).isEqualTo("gap: a list, but it takes one value (in " + listForOne + ")");
        Path nestedList = file("nested-list.yaml", "input.kafka.topics: [[a]]\n");
        assertThat(refusal(nestedList)).isEqualTo("input.kafka.topics: a list entry is not a single value (in " + nestedList + ")");
        Path noValue = file("novalue.yaml", MINIMAL + "gap:\n");
        assertThat(refusal(noValue)).isEqualTo("gap has no value (in " + noValue + ")");
        Path properties = file("twice.properties", "gap=5s\ngap=6s\n");
        assertThat(refusal(properties)).isEqualTo("gap is given twice in " + properties);
        Path escape = file("escape.properties", "gap=\\u00zz\n");
        assertThat(refusal(escape)).isEqualTo("--config " + escape + " is not a valid properties file: malformed \\uXXXX escape");
    }

    // Secrets.

    /** A Kafka client property's value appears in no output and no refusal, whatever goes wrong. */
    @Test
    void aSecretNeverShows() throws Exception {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"" + SECRET + "\";";
        Path file = file("secret.yaml", MINIMAL + "kafka.properties.sasl.jaas.config: '" + jaas + "'\n");
        RunConfigLoader.Loaded loaded = load(file, "kafka.properties.ssl.truststore.password=" + SECRET);
        assertThat(loaded.config().kafkaProperties().byName()).containsEntry("sasl.jaas.config", jaas)
                .containsEntry("ssl.truststore.password", SECRET);
        List<String> shown = new ArrayList<>(loaded.describe());
        shown.add(loaded.config().toString());
        shown.add(loaded.config().kafkaProperties().toString());
        shown.add(loaded.settings().toString());
        shown.add(loaded.settings().get("kafka.properties.sasl.jaas.config").orElseThrow().toString());
        assertThat(shown).noneSatisfy(text -> assertThat(text).contains(SECRET));
        assertThat(loaded.describe()).anySatisfy(line -> assertThat(line)
                .matches("kafka\\.properties\\.sasl\\.jaas\\.config += \\(redacted\\) +\\(file " + file + "\\)"));

        List<String> refusals = new ArrayList<>();
        // Broken YAML around the secret: snakeyaml quotes the line it stopped at.
        refusals.add(refusal(file("broken1.yaml", "kafka.properties.sasl.jaas.config: \"" + SECRET + "\n  x: [\n")));
        refusals.add(refusal(file("broken2.yaml", "kafka.properties.sasl.jaas.config: " + SECRET + ": x\n")));
        refusals.add(refusal(file("broken3.yaml", "kafka:\n  properties:\n    sasl.jaas.config: " + SECRET + "\n   bad: [\n")));
        refusals.add(refusal(file("broken4.yaml", "kafka.properties.x: '" + SECRET + "\n")));
        refusals.add(refusal(file("broken5.yaml", "kafka.properties.x: " + SECRET + "\n\tgap: 1s\n")));
        refusals.add(refusal(file("broken6.yaml", "kafka.properties.x: " + SECRET + "\n- y\n")));
        // The secret given twice, in a list, refused by name, or next to another mistake.
        refusals.add(refusal(file("twice.yaml", MINIMAL + "kafka.properties.x: " + SECRET + "\nkafka.properties.x: " + SECRET + "\n")));
        refusals.add(refusal(file("twice.properties", "kafka.properties.x=" + SECRET + "\nkafka.properties.x=" + SECRET + "\n")));
        refusals.add(refusal(file("listed.yaml", "kafka.properties.x: [" + SECRET + "]\n")));
        refusals.add(refusal(minimal(), "kafka.properties.bootstrap.servers=" + SECRET));
        refusals.add(refusal(minimal(), "kafka.properties.x=" + SECRET, "kafka.properties.x=" + SECRET));
        refusals.add(refusal(minimal(), "kafka.properties.x:" + SECRET));
        refusals.add(refusal(minimal(), "kafka.properties.x " + SECRET));
        refusals.add(refusal(minimal(), Map.of("TRACESTITCH_KAFKA_PROPERTIES_GROUP_ID", SECRET)));
        refusals.add(refusal(file, "gap=5"));
        assertThat(refusals).hasSize(15).noneSatisfy(text -> assertThat(text).contains(SECRET));
        assertThat(RunOptions.redact("unmatched argument at index 3: 'kafka.properties.sasl.jaas.config=" + jaas + "'"))
                .isEqualTo("unmatched argument at index 3: 'kafka.properties.sasl.jaas.config=(redacted)'");
    }

    // The README.

    /**
     * README's "## The run command (configuration)" table: one row per key the loader takes, in
     * order, each with its default and description from RunOptions.
     */
    @Test
    void readmeKeyTableIsExactlyTheKeysTheLoaderTakes() throws Exception {
        List<String> rows = ReadmeTables.keyTableRows("## The run command (configuration)");
        assertThat(rows).containsExactlyElementsOf(RunOptions.rows().stream()
                .map(row -> "| `" + row.key() + "` | " + row.defaultCell() + " | " + row.description() + " |").toList());

        List<String> keys = rows.stream().map(row -> row.substring(3, row.indexOf('`', 3))).toList();
        Path empty = file("empty.yaml", "");
        Set<String> accepted = new HashSet<>();
        RunOptions.ALL.forEach(option -> accepted.add(option.key()));
        accepted.add(RunOptions.KAFKA_PROPERTIES_PREFIX + "*");
        assertThat(keys).containsExactlyInAnyOrderElementsOf(accepted);
        // Each key of the table is taken by the loader (no "unknown key"); their neighbours are not.
        for (String key : keys) {
            String given = key.replace("*", "any.name");
            assertThat(RunOptions.isKey(given)).as(given).isTrue();
            String message = catchThrowableOfType(RunConfigException.class,
                    () -> RunConfigLoader.load(empty, List.of(given + "=x"), Map.of())).getMessage();
            assertThat(message).as(given).doesNotContain("unknown key");
            for (String neighbour : List.of(key + "s", "x" + key, key.replace('-', '_'))) {
                if (!neighbour.equals(key) && !neighbour.startsWith(RunOptions.KAFKA_PROPERTIES_PREFIX)) {
                    assertThat(RunOptions.isKey(neighbour)).as(neighbour).isFalse();
                }
            }
        }
        assertThat(Stream.of("kafka.properties", "kafka.properties.", "kafka", "input", "stitch.gap"))
                .noneMatch(RunOptions::isKey);
    }
}
