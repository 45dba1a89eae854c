package io.tracestitch.config;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;

/**
 * The validated configuration of {@code run}, read once from {@link RunSettings}: every value is
 * of its type and in range, the required keys are there, and the stitching options are a
 * {@link StitchConfig} checked by its own rules. Every refusal is a {@link RunConfigException}
 * whose message is one line naming the key and where its value came from.
 *
 * @param kafkaInput null when no Kafka topic is read
 * @param kinesisInput null when no Kinesis stream is read
 * @param otlpOutput null when no OTLP topic is written
 * @param checkpointDir null: the cluster's own setting
 * @param parallelism null: the cluster's default
 */
public record RunConfig(
        List<String> bootstrapServers,
        KafkaClientProperties kafkaProperties,
        KafkaInput kafkaInput,
        KinesisInput kinesisInput,
        boolean bounded,
        Duration idleTimeout,
        String outputTopic,
        String deadLetterTopic,
        String transactionalIdPrefix,
        OtlpOutput otlpOutput,
        Duration checkpointInterval,
        String checkpointDir,
        StateBackend stateBackend,
        Integer parallelism,
        StitchConfig stitch) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Flink refuses a checkpoint interval below 10 ms. */
    public static final Duration LEAST_CHECKPOINT_INTERVAL = Duration.ofMillis(10);
    /** Flink's upper bound of a job's parallelism (its maximum parallelism). */
    public static final int MOST_PARALLELISM = 32_768;

    private static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final Pattern KINESIS_STREAM = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
    private static final Pattern KINESIS_STREAM_ARN =
            Pattern.compile("arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/[a-zA-Z0-9_.-]{1,128}");
    private static final Pattern AWS_REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");
    private static final Pattern URI_WITH_SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]+:.+");

    public RunConfig {
        bootstrapServers = List.copyOf(bootstrapServers);
    }

    /**
     * The Kafka topics read, the group whose offsets they use, where they start, how each topic's
     * records are encoded, and the attribute that names an OTLP span's tenant.
     *
     * @param formatByTopic an entry for every topic
     */
    public record KafkaInput(List<String> topics, String groupId, KafkaStart start, Map<String, RecordFormat> formatByTopic,
            String otlpTenantAttribute) implements Serializable {
        private static final long serialVersionUID = 1L;

        public KafkaInput {
            topics = List.copyOf(topics);
            formatByTopic = Collections.unmodifiableMap(new LinkedHashMap<>(formatByTopic));
            if (!formatByTopic.keySet().equals(Set.copyOf(topics))) {
                throw new IllegalArgumentException("a format for every topic, and only for those: " + formatByTopic);
            }
        }
    }

    /** The topic the transactions go to as OpenTelemetry traces, and their encoding. */
    public record OtlpOutput(String topic, OtlpEncoding encoding) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * @param streams as given: names or stream ARNs
     * @param endpoint null: the region's own endpoint
     */
    public record KinesisInput(List<String> streams, String region, URI endpoint, KinesisFormat format,
            KinesisStart start, String otlpTenantAttribute) implements Serializable {
        private static final long serialVersionUID = 1L;

        public KinesisInput {
            streams = List.copyOf(streams);
        }

        /** The stream names: an ARN's stream name (its region is the input's, checked when loaded). */
        public List<String> streamNames() {
            return streams.stream().map(RunConfig::streamName).toList();
        }
    }

    /**
     * Every {@code kafka.properties.<name>} by {@code <name>}. Its values are secrets (SASL
     * passwords, key store passwords), so neither this nor {@link RunConfig} prints them.
     */
    public record KafkaClientProperties(SortedMap<String, String> byName) implements Serializable {
        private static final long serialVersionUID = 1L;

        public KafkaClientProperties {
            byName = Collections.unmodifiableSortedMap(new TreeMap<>(byName));
        }

        @Override
        public String toString() {
            return byName.keySet().stream().map(name -> name + "=(redacted)").collect(Collectors.joining(", ", "{", "}"));
        }
    }

    /** The values of a closed set, each with the text a user writes. */
    public interface Named {
        String text();
    }

    public enum KafkaStart implements Named {
        EARLIEST, LATEST, COMMITTED;

        @Override
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum KinesisFormat implements Named {
        NDJSON("ndjson", RecordFormat.NDJSON),
        CLOUDWATCH_LOGS("cloudwatch-logs", RecordFormat.NDJSON),
        OTLP_PROTO("otlp_proto", RecordFormat.OTLP_PROTO),
        OTLP_JSON("otlp_json", RecordFormat.OTLP_JSON);

        private final String text;
        /** How a record holds what it holds, once decompressed (a subscription message is JSON). */
        public final RecordFormat records;

        KinesisFormat(String text, RecordFormat records) {
            this.text = text;
            this.records = records;
        }

        @Override
        public String text() {
            return text;
        }
    }

    public enum KinesisStart implements Named {
        LATEST, TRIM_HORIZON;

        @Override
        public String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public enum StateBackend implements Named {
        HASHMAP, ROCKSDB;

        @Override
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How the OTLP output topic's records are encoded, by the names the Collector's Kafka receiver uses. */
    public enum OtlpEncoding implements Named {
        OTLP_PROTO, OTLP_JSON;

        @Override
        public String text() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Checks and types the settings, defaults filled in; the first rule broken is the refusal. */
    public static RunConfig from(RunSettings settings) {
        List<String> bootstrapServers = settings.read(RunOptions.KAFKA_BOOTSTRAP_SERVERS,
                text -> list(RunOptions.KAFKA_BOOTSTRAP_SERVERS, text, RunConfig::requireHostPort)).orElse(null);
        KafkaClientProperties kafkaProperties = kafkaProperties(settings);
        List<String> topics = settings.read(RunOptions.INPUT_KAFKA_TOPICS,
                text -> list(RunOptions.INPUT_KAFKA_TOPICS, text, RunConfig::requireTopic)).orElse(List.of());
        Optional<String> groupId = settings.read(RunOptions.INPUT_KAFKA_GROUP_ID, RunConfig::groupId);
        KafkaStart start = settings.read(RunOptions.INPUT_KAFKA_START, text -> oneOf(RunOptions.INPUT_KAFKA_START, text,
                KafkaStart.values())).orElse(KafkaStart.COMMITTED);
        boolean bounded = settings.read(RunOptions.INPUT_BOUNDED, text -> OptionText.read(RunOptions.INPUT_BOUNDED, text))
                .orElse(RunOptions.INPUT_BOUNDED.defaultValue());
        List<String> streams = settings.read(RunOptions.INPUT_KINESIS_STREAMS,
                text -> list(RunOptions.INPUT_KINESIS_STREAMS, text, RunConfig::requireStream)).orElse(List.of());
        Optional<String> region = settings.read(RunOptions.INPUT_KINESIS_REGION, RunConfig::region);
        URI endpoint = settings.read(RunOptions.INPUT_KINESIS_ENDPOINT, RunConfig::endpoint).orElse(null);
        KinesisFormat format = settings.read(RunOptions.INPUT_KINESIS_FORMAT, text -> oneOf(RunOptions.INPUT_KINESIS_FORMAT,
                text, KinesisFormat.values())).orElse(KinesisFormat.NDJSON);
        Map<String, RecordFormat> kafkaFormats = settings.read(RunOptions.INPUT_KAFKA_FORMAT, text -> kafkaFormats(text, topics))
                .orElseGet(() -> kafkaFormats(RecordFormat.NDJSON.text(), topics));
        String otlpTenantAttribute = settings.read(RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE, RunConfig::attributeName)
                .orElse(RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue());
        KinesisStart kinesisStart = settings.read(RunOptions.INPUT_KINESIS_START, text -> oneOf(RunOptions.INPUT_KINESIS_START,
                text, KinesisStart.values())).orElse(KinesisStart.LATEST);
        Optional<String> outputTopic = settings.read(RunOptions.OUTPUT_KAFKA_TOPIC,
                text -> requireTopic(RunOptions.OUTPUT_KAFKA_TOPIC, text));
        Optional<String> deadLetterTopic = settings.read(RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC,
                text -> requireTopic(RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC, text));
        Duration idleTimeout = settings.read(RunOptions.INPUT_IDLE_TIMEOUT, RunConfig::idleTimeout)
                .orElse(RunOptions.INPUT_IDLE_TIMEOUT.defaultValue());
        Optional<String> transactionalIdPrefix = settings.read(RunOptions.OUTPUT_KAFKA_TRANSACTIONAL_ID_PREFIX,
                RunConfig::transactionalIdPrefix);
        Duration checkpointInterval = settings.read(RunOptions.CHECKPOINT_INTERVAL, RunConfig::checkpointInterval)
                .orElse(RunOptions.CHECKPOINT_INTERVAL.defaultValue());
        String checkpointDir = settings.read(RunOptions.CHECKPOINT_DIR, RunConfig::checkpointDir).orElse(null);
        StateBackend stateBackend = settings.read(RunOptions.STATE_BACKEND, text -> oneOf(RunOptions.STATE_BACKEND, text,
                StateBackend.values())).orElse(StateBackend.HASHMAP);
        Optional<String> otlpTopic = settings.read(RunOptions.OUTPUT_KAFKA_OTLP_TOPIC,
                text -> requireTopic(RunOptions.OUTPUT_KAFKA_OTLP_TOPIC, text));
        OtlpEncoding otlpEncoding = settings.read(RunOptions.OUTPUT_KAFKA_OTLP_ENCODING, text -> oneOf(
                RunOptions.OUTPUT_KAFKA_OTLP_ENCODING, text, OtlpEncoding.values())).orElse(OtlpEncoding.OTLP_PROTO);
        Integer parallelism = settings.read(RunOptions.PARALLELISM, RunConfig::parallelism).orElse(null);
        StitchConfig stitch = stitch(settings, bounded);

        // What the job cannot start without.
        if (topics.isEmpty() && streams.isEmpty()) {
            throw new RunConfigException(RunOptions.INPUT_KAFKA_TOPICS.key() + " or " + RunOptions.INPUT_KINESIS_STREAMS.key()
                    + " is required: the job needs an input");
        }
        if (outputTopic.isEmpty()) {
            throw new RunConfigException(RunOptions.OUTPUT_KAFKA_TOPIC.key() + " is required");
        }
        if (deadLetterTopic.isEmpty()) {
            throw new RunConfigException(RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC.key()
                    + " is required: on endless input, lines the job cannot use must land somewhere");
        }
        if (bootstrapServers == null) {
            throw new RunConfigException(RunOptions.KAFKA_BOOTSTRAP_SERVERS.key() + " is required: the output is Kafka");
        }
        if (!topics.isEmpty() && groupId.isEmpty()) {
            throw new RunConfigException(RunOptions.INPUT_KAFKA_GROUP_ID.key() + " is required with "
                    + RunOptions.INPUT_KAFKA_TOPICS.key());
        }
        if (!streams.isEmpty() && region.isEmpty()) {
            throw new RunConfigException(RunOptions.INPUT_KINESIS_REGION.key() + " is required with "
                    + RunOptions.INPUT_KINESIS_STREAMS.key());
        }
        checkStreamArns(settings, streams, region.orElse(null));
        if (bounded && !streams.isEmpty()) {
            throw settings.refusal(RunOptions.INPUT_BOUNDED.key() + " true needs Kafka input only: a Kinesis stream has "
                    + "no end, and " + RunOptions.INPUT_KINESIS_STREAMS.key() + " is set", RunOptions.INPUT_BOUNDED.key());
        }
        // The job must never read what it writes: each line would come back as input, forever.
        if (outputTopic.get().equals(deadLetterTopic.get())) {
            throw settings.refusal(RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC.key() + " '" + deadLetterTopic.get()
                    + "' is also " + RunOptions.OUTPUT_KAFKA_TOPIC.key(), RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC.key());
        }
        if (otlpTopic.isPresent()) {
            if (otlpTopic.get().equals(outputTopic.get()) || otlpTopic.get().equals(deadLetterTopic.get())) {
                throw settings.refusal(RunOptions.OUTPUT_KAFKA_OTLP_TOPIC.key() + " '" + otlpTopic.get() + "' is also "
                        + (otlpTopic.get().equals(outputTopic.get()) ? RunOptions.OUTPUT_KAFKA_TOPIC.key()
                                : RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC.key()), RunOptions.OUTPUT_KAFKA_OTLP_TOPIC.key());
            }
            if (!stitch.includeSpans()) {
                throw settings.refusal(RunOptions.OUTPUT_KAFKA_OTLP_TOPIC.key() + " needs the spans, and "
                        + StitchOptions.INCLUDE_SPANS.key() + " is false", RunOptions.OUTPUT_KAFKA_OTLP_TOPIC.key());
            }
        }
        Map<ConfigOption<String>, String> outputs = new LinkedHashMap<>();
        outputs.put(RunOptions.OUTPUT_KAFKA_TOPIC, outputTopic.get());
        outputs.put(RunOptions.OUTPUT_KAFKA_DEAD_LETTER_TOPIC, deadLetterTopic.get());
        otlpTopic.ifPresent(topic -> outputs.put(RunOptions.OUTPUT_KAFKA_OTLP_TOPIC, topic));
        for (Map.Entry<ConfigOption<String>, String> entry : outputs.entrySet()) {
            ConfigOption<String> output = entry.getKey();
            String topic = entry.getValue();
            if (topics.contains(topic)) {
                throw settings.refusal(output.key() + " '" + topic + "' is also in " + RunOptions.INPUT_KAFKA_TOPICS.key()
                        + ": the job would read what it writes", output.key());
            }
        }
        return new RunConfig(bootstrapServers, kafkaProperties,
                topics.isEmpty() ? null : new KafkaInput(topics, groupId.get(), start, kafkaFormats, otlpTenantAttribute),
                streams.isEmpty() ? null
                        : new KinesisInput(streams, region.get(), endpoint, format, kinesisStart, otlpTenantAttribute),
                bounded, idleTimeout, outputTopic.get(), deadLetterTopic.get(),
                transactionalIdPrefix.orElse("tracestitch-" + outputTopic.get()),
                otlpTopic.map(topic -> new OtlpOutput(topic, otlpEncoding)).orElse(null), checkpointInterval, checkpointDir, stateBackend,
                parallelism, stitch);
    }

    /**
     * The stitching options by StitchConfig's own rules. Its messages start with the key they are
     * about, which names the source. run's default horizon applies unless the input is bounded.
     */
    private static StitchConfig stitch(RunSettings settings, boolean bounded) {
        Map<String, String> textByKey = new LinkedHashMap<>();
        for (ConfigOption<?> option : StitchOptions.ALL) {
            settings.get(option.key()).ifPresent(setting -> textByKey.put(option.key(), setting.text().strip()));
        }
        boolean defaultHorizon = !bounded && !textByKey.containsKey(StitchOptions.HORIZON.key());
        if (defaultHorizon) {
            textByKey.put(StitchOptions.HORIZON.key(), StitchOptions.format(RunOptions.DEFAULT_HORIZON));
        }
        try {
            return StitchConfig.fromText(textByKey);
        } catch (IllegalArgumentException refused) {
            String message = refused.getMessage();
            String key = StitchOptions.ALL.stream().map(ConfigOption::key)
                    .filter(k -> message.startsWith(k + ":") || message.startsWith(k + " ")).findFirst().orElse("");
            if (defaultHorizon && key.equals(StitchOptions.HORIZON.key())) {
                throw new RunConfigException(message + " (run's default horizon; set horizon to at least that)");
            }
            throw settings.refusal(message, key);
        }
    }

    private static KafkaClientProperties kafkaProperties(RunSettings settings) {
        SortedMap<String, String> byName = new TreeMap<>();
        settings.kafkaProperties().forEach((key, setting) -> {
            String name = key.substring(RunOptions.KAFKA_PROPERTIES_PREFIX.length());
            String instead = switch (name) {
                case "bootstrap.servers" -> RunOptions.KAFKA_BOOTSTRAP_SERVERS.key();
                case "group.id" -> RunOptions.INPUT_KAFKA_GROUP_ID.key();
                default -> null;
            };
            if (instead != null) {
                throw settings.refusal(key + " is refused: use " + instead, key);
            }
            // The value is not stripped (a secret is taken as written) and never echoed.
            byName.put(name, setting.text());
        });
        return new KafkaClientProperties(byName);
    }

    /** A comma-separated list: no empty entry, none twice, each checked by {@code entry}. */
    private static List<String> list(ConfigOption<?> option, String text, EntryCheck entry) {
        List<String> entries = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String raw : text.split(",", -1)) {
            String value = raw.strip();
            if (value.isEmpty()) {
                throw new IllegalArgumentException(option.key() + ": an empty entry in '" + OptionText.abbreviated(text) + "'");
            }
            entry.check(option, value);
            if (!seen.add(value)) {
                throw new IllegalArgumentException(option.key() + ": '" + OptionText.abbreviated(value) + "' is given twice");
            }
            entries.add(value);
        }
        return entries;
    }

    /**
     * {@code input.kafka.format}: one format for every topic, or {@code topic=format} entries, the
     * topics not named being {@code ndjson}.
     */
    private static Map<String, RecordFormat> kafkaFormats(String text, List<String> topics) {
        ConfigOption<?> option = RunOptions.INPUT_KAFKA_FORMAT;
        Map<String, RecordFormat> formats = new LinkedHashMap<>();
        if (!text.contains("=")) {
            RecordFormat every = oneOf(option, text, RecordFormat.values());
            topics.forEach(topic -> formats.put(topic, every));
            return formats;
        }
        topics.forEach(topic -> formats.put(topic, RecordFormat.NDJSON));
        Set<String> named = new LinkedHashSet<>();
        for (String entry : list(option, text, (o, value) -> {})) {
            String[] topicAndFormat = entry.split("=", 2);
            String topic = topicAndFormat[0].strip();
            if (topicAndFormat.length < 2 || !topics.contains(topic)) {
                throw new IllegalArgumentException(option.key() + ": '" + OptionText.abbreviated(entry) + "' is not "
                        + "<topic>=<format> for a topic of " + RunOptions.INPUT_KAFKA_TOPICS.key());
            }
            if (!named.add(topic)) {
                throw new IllegalArgumentException(option.key() + ": topic '" + topic + "' is given twice");
            }
            formats.put(topic, oneOf(option, topicAndFormat[1].strip(), RecordFormat.values()));
        }
        return formats;
    }

    @FunctionalInterface
    private interface EntryCheck {
        void check(ConfigOption<?> option, String value);
    }

    private static void requireHostPort(ConfigOption<?> option, String value) {
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? "" : value.substring(colon + 1);
        boolean portOk = port.matches("[0-9]{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65_535;
        if (host.isEmpty() || host.chars().anyMatch(Character::isWhitespace) || !portOk) {
            throw new IllegalArgumentException(option.key() + ": '" + OptionText.abbreviated(value)
                    + "' is not host:port (a port from 1 to 65535)");
        }
    }

    private static String requireTopic(ConfigOption<?> option, String value) {
        if (!KAFKA_TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw new IllegalArgumentException(option.key() + ": '" + OptionText.abbreviated(value)
                    + "' is not a Kafka topic name (letters, digits, '.', '_' and '-', at most 249)");
        }
        return value;
    }

    private static void requireStream(ConfigOption<?> option, String value) {
        if (!KINESIS_STREAM.matcher(value).matches() && !KINESIS_STREAM_ARN.matcher(value).matches()) {
            throw new IllegalArgumentException(option.key() + ": '" + OptionText.abbreviated(value)
                    + "' is neither a Kinesis stream name (letters, digits, '.', '_' and '-', at most 128) nor a stream ARN");
        }
    }

    /**
     * The Kinesis consumer reads streams by name in one region: a stream ARN must be of that region,
     * and no stream may be named twice (once by name, once by ARN).
     */
    private static void checkStreamArns(RunSettings settings, List<String> streams, String region) {
        Set<String> names = new LinkedHashSet<>();
        for (String stream : streams) {
            String key = RunOptions.INPUT_KINESIS_STREAMS.key();
            if (KINESIS_STREAM_ARN.matcher(stream).matches() && region != null) {
                String arnRegion = stream.split(":", -1)[3];
                if (!arnRegion.equals(region)) {
                    throw settings.refusal(key + ": the ARN of stream '" + streamName(stream) + "' is in region " + arnRegion
                            + ", but " + RunOptions.INPUT_KINESIS_REGION.key() + " is " + region
                            + " (one job reads streams of one region)", key);
                }
            }
            if (!names.add(streamName(stream))) {
                throw settings.refusal(key + ": stream '" + streamName(stream) + "' is given twice (by name and ARN)", key);
            }
        }
    }

    /** The stream name of a stream name or stream ARN. */
    static String streamName(String stream) {
        return KINESIS_STREAM_ARN.matcher(stream).matches() ? stream.substring(stream.lastIndexOf('/') + 1) : stream;
    }

    private static String groupId(String text) {
        if (text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(RunOptions.INPUT_KAFKA_GROUP_ID.key() + " holds a control character");
        }
        return text;
    }

    private static String region(String text) {
        if (!AWS_REGION.matcher(text).matches()) {
            throw new IllegalArgumentException(RunOptions.INPUT_KINESIS_REGION.key() + ": '" + OptionText.abbreviated(text)
                    + "' is not an AWS region such as us-east-1");
        }
        return text;
    }

    private static URI endpoint(String text) {
        String refusal = RunOptions.INPUT_KINESIS_ENDPOINT.key() + ": '" + OptionText.abbreviated(text)
                + "' is not an http or https URL";
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException(refusal);
            }
            return uri;
        } catch (URISyntaxException notAUri) {
            throw new IllegalArgumentException(refusal);
        }
    }

    private static Duration checkpointInterval(String text) {
        Duration interval = OptionText.read(RunOptions.CHECKPOINT_INTERVAL, text);
        if (interval.compareTo(LEAST_CHECKPOINT_INTERVAL) < 0 || interval.compareTo(StitchConfig.LONGEST) > 0) {
            throw new IllegalArgumentException(RunOptions.CHECKPOINT_INTERVAL.key() + " must be from "
                    + StitchOptions.format(LEAST_CHECKPOINT_INTERVAL) + " to " + StitchOptions.format(StitchConfig.LONGEST)
                    + ", got " + OptionText.abbreviated(text));
        }
        return interval;
    }

    private static Duration idleTimeout(String text) {
        Duration idle = OptionText.read(RunOptions.INPUT_IDLE_TIMEOUT, text);
        if (idle.isNegative() || idle.compareTo(StitchConfig.LONGEST) > 0) {
            throw new IllegalArgumentException(RunOptions.INPUT_IDLE_TIMEOUT.key() + " must be from 0s to "
                    + StitchOptions.format(StitchConfig.LONGEST) + ", got " + OptionText.abbreviated(text));
        }
        return idle;
    }

    /** Kafka allows any string; ours become file-system-free ids in logs and ACLs, so keep them plain. */
    private static String transactionalIdPrefix(String text) {
        if (!KAFKA_TOPIC.matcher(text).matches()) {
            throw new IllegalArgumentException(RunOptions.OUTPUT_KAFKA_TRANSACTIONAL_ID_PREFIX.key() + ": '"
                    + OptionText.abbreviated(text) + "' must be letters, digits, '.', '_' and '-', at most 249");
        }
        return text;
    }

    /** An absolute path is made a file URI: Flink's checkpoint storage needs a scheme. */
    private static String checkpointDir(String text) {
        if (!URI_WITH_SCHEME.matcher(text).matches() && !text.startsWith("/")) {
            throw new IllegalArgumentException(RunOptions.CHECKPOINT_DIR.key() + ": '" + OptionText.abbreviated(text)
                    + "' is neither a URI with a scheme (s3://…, file:///…) nor an absolute path");
        }
        return text.startsWith("/") ? java.nio.file.Path.of(text).toUri().toString() : text;
    }

    /** An attribute name: what OpenTelemetry allows, any non-empty text, but no control characters and at most 256 characters. */
    private static String attributeName(String text) {
        if (text.length() > 256 || text.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.key()
                    + ": an attribute name of at most 256 characters without control characters, got '"
                    + OptionText.abbreviated(text) + "'");
        }
        return text;
    }

    private static Integer parallelism(String text) {
        int parallelism = OptionText.read(RunOptions.PARALLELISM, text);
        if (parallelism < 1 || parallelism > MOST_PARALLELISM) {
            throw new IllegalArgumentException(RunOptions.PARALLELISM.key() + " must be from 1 to " + MOST_PARALLELISM
                    + ", got " + parallelism);
        }
        return parallelism;
    }

    private static <E extends Enum<E> & Named> E oneOf(ConfigOption<?> option, String text, E[] values) {
        for (E value : values) {
            if (value.text().equals(text)) {
                return value;
            }
        }
        List<String> names = Arrays.stream(values).map(Named::text).toList();
        throw new IllegalArgumentException(option.key() + ": '" + OptionText.abbreviated(text) + "' is not "
                + String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1));
    }

    /** The record's own toString would print the Kafka client properties' secret values. */
    @Override
    public String toString() {
        return "RunConfig[bootstrapServers=" + bootstrapServers + ", kafkaProperties=" + kafkaProperties
                + ", kafkaInput=" + kafkaInput + ", kinesisInput=" + kinesisInput + ", bounded=" + bounded
                + ", idleTimeout=" + idleTimeout + ", outputTopic=" + outputTopic + ", deadLetterTopic=" + deadLetterTopic
                + ", transactionalIdPrefix=" + transactionalIdPrefix + ", otlpOutput=" + otlpOutput
                + ", checkpointInterval=" + checkpointInterval + ", checkpointDir=" + checkpointDir
                + ", stateBackend=" + stateBackend + ", parallelism=" + parallelism + ", stitch=" + stitch + "]";
    }
}
