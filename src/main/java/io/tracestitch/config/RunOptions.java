package io.tracestitch.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every key of {@code run}'s configuration, its default and what it means: the keys below, the
 * {@code kafka.properties.*} family and every stitching option of {@link StitchOptions#ALL} under
 * its own name. The README's key table is checked against {@link #rows()}.
 */
public final class RunOptions {

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS = ConfigOptions.key("kafka.bootstrap-servers")
            .stringType().noDefaultValue()
            .withDescription("Kafka brokers as host:port, comma-separated. Required: the output is always Kafka.");
    public static final ConfigOption<String> INPUT_KAFKA_TOPICS = ConfigOptions.key("input.kafka.topics")
            .stringType().noDefaultValue()
            .withDescription("Kafka topics to read, comma-separated. At least one input is required: this, "
                    + "input.kinesis.streams or both.");
    public static final ConfigOption<String> INPUT_KAFKA_GROUP_ID = ConfigOptions.key("input.kafka.group-id")
            .stringType().noDefaultValue()
            .withDescription("Consumer group of the Kafka input, whose committed offsets start=committed reads. "
                    + "Required with input.kafka.topics.");
    public static final ConfigOption<String> INPUT_KAFKA_START = ConfigOptions.key("input.kafka.start")
            .stringType().defaultValue("committed")
            .withDescription("Where the Kafka input starts when the job starts without a checkpoint: earliest, "
                    + "latest, or committed (the group's committed offsets; earliest where it has none).");
    public static final ConfigOption<String> INPUT_KAFKA_FORMAT = ConfigOptions.key("input.kafka.format")
            .stringType().defaultValue("ndjson")
            .withDescription("ndjson: a record value is one input line. otlp_proto: it is an OTLP "
                    + "ExportTraceServiceRequest in protobuf, otlp_json: the same in OTLP/JSON, as the OpenTelemetry "
                    + "Collector's Kafka exporter writes them (encoding otlp_proto or otlp_json); at most 8 MiB "
                    + "(see OTLP input). One format for every topic, or topic=format entries, comma-separated, "
                    + "for topics that differ (e.g. otlp_spans=otlp_proto): the topics not named are ndjson.");
    public static final ConfigOption<String> INPUT_OTLP_TENANT_ATTRIBUTE = ConfigOptions.key("input.otlp.tenant-attribute")
            .stringType().defaultValue("cloud.account.id")
            .withDescription("OTLP input: the span or resource attribute that names a span's tenant (see OTLP input).");
    public static final ConfigOption<Boolean> INPUT_BOUNDED = ConfigOptions.key("input.bounded")
            .booleanType().defaultValue(false)
            .withDescription("true: read the Kafka topics up to their latest offsets at the start, then finish "
                    + "(Kafka input only: a Kinesis stream has no end). false: run until stopped.");
    public static final ConfigOption<String> INPUT_KINESIS_STREAMS = ConfigOptions.key("input.kinesis.streams")
            .stringType().noDefaultValue()
            .withDescription("Kinesis data streams to read, names or stream ARNs, comma-separated.");
    public static final ConfigOption<String> INPUT_KINESIS_REGION = ConfigOptions.key("input.kinesis.region")
            .stringType().noDefaultValue()
            .withDescription("AWS region of the streams, e.g. us-east-1. Required with input.kinesis.streams. "
                    + "Credentials come from the AWS default chain (environment, profile, role), never from "
                    + "this configuration.");
    public static final ConfigOption<String> INPUT_KINESIS_ENDPOINT = ConfigOptions.key("input.kinesis.endpoint")
            .stringType().noDefaultValue()
            .withDescription("An http or https URL to use instead of the region's Kinesis endpoint, e.g. a "
                    + "local emulator.");
    public static final ConfigOption<String> INPUT_KINESIS_FORMAT = ConfigOptions.key("input.kinesis.format")
            .stringType().defaultValue("ndjson")
            .withDescription("ndjson: a record holds input lines as NDJSON. cloudwatch-logs: a record is a "
                    + "gzip-compressed CloudWatch Logs subscription message. otlp_proto, otlp_json: a record is one "
                    + "OTLP ExportTraceServiceRequest, as for input.kafka.format.");
    public static final ConfigOption<String> INPUT_KINESIS_START = ConfigOptions.key("input.kinesis.start")
            .stringType().defaultValue("latest")
            .withDescription("Where the Kinesis input starts when the job starts without a checkpoint: latest "
                    + "(records written from then on) or trim-horizon (the oldest record each shard still holds). "
                    + "Restored from a checkpoint or savepoint, it resumes where it stopped, and reads a shard it "
                    + "did not know then from its oldest record.");
    public static final ConfigOption<Duration> INPUT_IDLE_TIMEOUT = ConfigOptions.key("input.idle-timeout")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A Kafka partition (or Kinesis subtask) with no record for this long lets its event time "
                    + "go on with the clock, so the last transactions before a lull are emitted and one quiet "
                    + "partition does not stall the others (one that never had a record is marked idle). "
                    + "Records after a lull may be late: they give more revisions. 0s: event time waits for records.");
    public static final ConfigOption<String> OUTPUT_KAFKA_TOPIC = ConfigOptions.key("output.kafka.topic")
            .stringType().noDefaultValue()
            .withDescription("Kafka topic of the transaction lines. Required.");
    public static final ConfigOption<String> OUTPUT_KAFKA_DEAD_LETTER_TOPIC = ConfigOptions.key("output.kafka.dead-letter-topic")
            .stringType().noDefaultValue()
            .withDescription("Kafka topic of the dead letters. Required: on endless input, lines the job cannot "
                    + "use must land somewhere they can be seen.");
    public static final ConfigOption<String> OUTPUT_KAFKA_TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("output.kafka.transactional-id-prefix").stringType().noDefaultValue()
            .withDescription("Prefix of the Kafka transactional ids of the job's sinks (the OTLP sink adds -otlp). It must be unique per "
                    + "job on a broker, and kept across restarts and upgrades of the same job (a new job aborts "
                    + "the open transactions of its prefix). Unset: tracestitch-<output.kafka.topic>.");
    public static final ConfigOption<String> OUTPUT_KAFKA_OTLP_TOPIC = ConfigOptions.key("output.kafka.otlp-topic")
            .stringType().noDefaultValue()
            .withDescription("Kafka topic of the transactions as OpenTelemetry traces (ExportTraceServiceRequest "
                    + "records, one trace per transaction, each span written once: README, OTLP output), for a "
                    + "Collector's kafka receiver. Unset: none are written. Needs include-spans true.");
    public static final ConfigOption<String> OUTPUT_KAFKA_OTLP_ENCODING = ConfigOptions.key("output.kafka.otlp-encoding")
            .stringType().defaultValue("otlp_proto")
            .withDescription("Encoding of the OTLP topic's records, named as the Collector's kafka receiver names "
                    + "them: otlp_proto (protobuf, its default) or otlp_json.");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = ConfigOptions.key("checkpoint.interval")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Time between two checkpoints, from 10ms (Flink's least) to 36500d.");
    public static final ConfigOption<String> CHECKPOINT_DIR = ConfigOptions.key("checkpoint.dir")
            .stringType().noDefaultValue()
            .withDescription("Where checkpoints are kept: a URI with a scheme (s3://…, hdfs://…, file:///…) or "
                    + "an absolute path. Unset: the cluster's execution.checkpointing.dir; under java -jar, "
                    + "tracestitch-checkpoints in the temporary directory. A cluster without either is refused "
                    + "(the JobManager's memory takes at most 5 MiB of state).");
    public static final ConfigOption<String> STATE_BACKEND = ConfigOptions.key("state.backend")
            .stringType().defaultValue("hashmap")
            .withDescription("hashmap (state on the heap) or rocksdb (state on local disk, for state larger than "
                    + "memory).");
    public static final ConfigOption<Integer> PARALLELISM = ConfigOptions.key("parallelism")
            .intType().noDefaultValue()
            .withDescription("Parallelism of the job, from 1 to 32768. Unset: the cluster's default.");

    /** {@code kafka.properties.<name>}: passed to every Kafka client as {@code <name>}; values are secret. */
    public static final String KAFKA_PROPERTIES_PREFIX = "kafka.properties.";
    static final String KAFKA_PROPERTIES_DESCRIPTION = "Passed to every Kafka client as the property named by the "
            + "rest of the key, e.g. kafka.properties.security.protocol for SASL or TLS. Values are secret: never "
            + "printed, shown as (redacted). bootstrap.servers and group.id are refused here: use "
            + "kafka.bootstrap-servers and input.kafka.group-id.";

    /**
     * On endless input the stitching state must expire, or it grows with every trace ever seen. One
     * hour is ten times what the default stitching options hold a trace open (gap 30s +
     * out-of-orderness 10s + max-hop-delay 5min = 340s): a trace or transaction is kept for
     * revisions for an hour (processing time) after it was last touched, and a record up to an hour
     * behind the watermark is still used.
     */
    public static final Duration DEFAULT_HORIZON = Duration.ofHours(1);

    /** The keys of run's own settings, in the README's order (stitching options follow them). */
    public static final List<ConfigOption<?>> OWN = List.of(
            KAFKA_BOOTSTRAP_SERVERS, INPUT_KAFKA_TOPICS, INPUT_KAFKA_GROUP_ID, INPUT_KAFKA_START, INPUT_KAFKA_FORMAT,
            INPUT_BOUNDED,
            INPUT_KINESIS_STREAMS, INPUT_KINESIS_REGION, INPUT_KINESIS_ENDPOINT, INPUT_KINESIS_FORMAT, INPUT_KINESIS_START,
            INPUT_OTLP_TENANT_ATTRIBUTE, INPUT_IDLE_TIMEOUT,
            OUTPUT_KAFKA_TOPIC, OUTPUT_KAFKA_DEAD_LETTER_TOPIC, OUTPUT_KAFKA_TRANSACTIONAL_ID_PREFIX,
            OUTPUT_KAFKA_OTLP_TOPIC, OUTPUT_KAFKA_OTLP_ENCODING, CHECKPOINT_INTERVAL, CHECKPOINT_DIR, STATE_BACKEND,
            PARALLELISM);

    /** Every key with a fixed name that run accepts: its own, then the stitching options. */
    public static final List<ConfigOption<?>> ALL = Stream.concat(OWN.stream(), StitchOptions.ALL.stream()).toList();

    public static final String ENV_PREFIX = "TRACESTITCH_";
    private static final String ENV_KAFKA_PROPERTIES_PREFIX = envName(KAFKA_PROPERTIES_PREFIX);

    /** A {@code kafka.properties.<name>=<value>} in free text, e.g. a picocli message quoting an argument. */
    private static final Pattern SECRET_IN_TEXT = Pattern.compile("(" + Pattern.quote(KAFKA_PROPERTIES_PREFIX) + "[^=:\\s']*\\s*[=:])[^']*");

    /** One row of the README's key table: the cells as Markdown shows them. */
    public record Row(String key, String defaultCell, String description) {}

    private RunOptions() {}

    /** The fixed-name option of this key, if there is one ({@code kafka.properties.*} has none). */
    public static Optional<ConfigOption<?>> byKey(String key) {
        return ALL.stream().filter(option -> option.key().equals(key)).findFirst();
    }

    /** True for every key run accepts. */
    public static boolean isKey(String key) {
        return byKey(key).isPresent() || isKafkaProperty(key);
    }

    public static boolean isKafkaProperty(String key) {
        return key.startsWith(KAFKA_PROPERTIES_PREFIX) && key.length() > KAFKA_PROPERTIES_PREFIX.length();
    }

    /** Keys whose values are never printed: every Kafka client property. */
    public static boolean isSecret(String key) {
        return key.startsWith(KAFKA_PROPERTIES_PREFIX);
    }

    /** {@code TRACESTITCH_} and the key upper-cased, with {@code .} and {@code -} as {@code _}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The key an environment variable sets, or empty. {@code TRACESTITCH_KAFKA_PROPERTIES_SASL_JAAS_CONFIG}
     * is {@code kafka.properties.sasl.jaas.config}: Kafka's own property names are lower case with dots.
     */
    public static Optional<String> keyOfEnv(String name) {
        Optional<String> fixed = ALL.stream().map(ConfigOption::key).filter(key -> envName(key).equals(name)).findFirst();
        if (fixed.isPresent()) {
            return fixed;
        }
        if (name.startsWith(ENV_KAFKA_PROPERTIES_PREFIX) && name.length() > ENV_KAFKA_PROPERTIES_PREFIX.length()) {
            return Optional.of(KAFKA_PROPERTIES_PREFIX
                    + name.substring(ENV_KAFKA_PROPERTIES_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.'));
        }
        return Optional.empty();
    }

    /** Hides the value of any {@code kafka.properties.<name>=<value>} quoted in a message. */
    public static String redact(String text) {
        return SECRET_IN_TEXT.matcher(text).replaceAll("$1(redacted)");
    }

    /** Fixed key names at most two edits from this unknown one, for "did you mean". */
    public static List<String> closeKeys(String unknown) {
        return CloseNames.of(unknown, ALL.stream().map(ConfigOption::key).toList());
    }

    /** run's default of an option, where it differs from the stitching options' (horizon). */
    public static String defaultText(ConfigOption<?> option) {
        return option == StitchOptions.HORIZON ? StitchOptions.format(DEFAULT_HORIZON) : StitchOptions.defaultText(option);
    }

    /** The README's key table: run's own keys, {@code kafka.properties.*}, then the stitching options. */
    public static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (ConfigOption<?> option : OWN) {
            rows.add(new Row(option.key(), defaultCell(option), StitchOptions.description(option)));
            if (option == KAFKA_BOOTSTRAP_SERVERS) {
                rows.add(new Row(KAFKA_PROPERTIES_PREFIX + "*", "(none)", KAFKA_PROPERTIES_DESCRIPTION));
            }
        }
        for (ConfigOption<?> option : StitchOptions.ALL) {
            rows.add(option == StitchOptions.HORIZON
                    ? new Row(option.key(), "`" + defaultText(option) + "`; none with `input.bounded` true",
                            "As for stitch. run sets a default so that state stays bounded on endless input.")
                    : new Row(option.key(), defaultCell(option), "As for stitch (see Options)."));
        }
        return rows;
    }

    private static String defaultCell(ConfigOption<?> option) {
        return option.hasDefaultValue() ? "`" + StitchOptions.defaultText(option) + "`" : "(none)";
    }
}
