package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.operators.output.otlp.OtlpIds;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.KafkaBrokerExtension;
import io.tracestitch.testing.KafkaTopics;
import io.tracestitch.testing.MiniClusters;
import io.tracestitch.testing.OtlpEncoding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code run} end to end on a real Kafka broker: a sample produced in shuffled order into a
 * 3-partition topic, the job at parallelism 2 with checkpoints and {@code input.bounded}, and the
 * transactions topic read back with {@code read_committed} and compacted as a consumer would. The
 * compacted view must equal the sample's expected transactions exactly, the records must form a
 * valid changelog, and the dead-letter topic must hold exactly the sample's malformed lines. The OTLP
 * topic, read the same way, must hold only {@code ExportTraceServiceRequest}s, with a trace for every
 * current transaction.
 */
class KafkaRunTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    @ParameterizedTest
    @ValueSource(strings = {"small", "late", "formats"})
    void shuffledSampleThroughKafkaGivesTheExpectedCompactedTopic(String sample, @TempDir Path dir) throws Exception {
        List<String> given = Files.readAllLines(SamplesStitchTest.resource(sample + ".ndjson"), StandardCharsets.UTF_8);
        String input = "in-" + sample;
        String output = "transactions-" + sample;
        String deadLetters = "dead-letters-" + sample;
        String otlp = "otlp-" + sample;
        KAFKA.createTopic(input, 3);
        KAFKA.createTopic(output, 3);
        KAFKA.createTopic(deadLetters, 1);
        KAFKA.createTopic(otlp, 2);
        KafkaTopics.produce(KAFKA.bootstrapServers(), input, 3,
                KafkaTopics.utf8(SamplesStitchTest.reorder(given, SamplesStitchTest.Order.SHUFFLED)));

        RunConfig config = config(dir, Map.of(
                "input.kafka.topics", input,
                "input.kafka.group-id", "stitch-" + sample,
                "output.kafka.topic", output,
                "output.kafka.dead-letter-topic", deadLetters,
                "output.kafka.otlp-topic", otlp));
        StreamingRun.start(config, null).getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<KafkaTopics.Read> records = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), output);
        assertThat(KafkaTopics.changelogViolations(records)).as("the transactions topic as a changelog").isEmpty();
        FinalView view = FinalView.of(new ArrayList<>(KafkaTopics.compacted(records).values()));
        assertThat(view.differences(SamplesStitchTest.resource(sample + ".expected.ndjson")))
                .as("compacted %s against the expected transactions", output).isEmpty();

        List<String> wantDead = given.stream().filter(SamplesStitchTest::malformed)
                .map(SamplesStitchTest::truncate).sorted().toList();
        List<String> dead = new ArrayList<>();
        for (KafkaTopics.Read record : KafkaTopics.readCommitted(KAFKA.bootstrapServers(), deadLetters)) {
            JsonNode letter = JSON.readTree(record.value());
            assertThat(letter.path("reason").asText()).isNotEmpty();
            dead.add(letter.path("raw").asText());
        }
        dead.sort(null);
        assertThat(dead).as("dead letters of %s", sample).containsExactlyElementsOf(wantDead);

        // Every committed OTLP record is an ExportTraceServiceRequest; each current transaction is one trace.
        Set<ByteString> traces = new HashSet<>();
        for (KafkaTopics.Read record : KafkaTopics.readCommitted(KAFKA.bootstrapServers(), otlp)) {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(record.bytes());
            assertThat(request.getResourceSpansCount()).isPositive();
            request.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                    .forEach(ss -> ss.getSpansList().forEach(span -> traces.add(span.getTraceId()))));
        }
        for (JsonNode transaction : view.finalRecords()) {
            assertThat(traces).as("the trace of %s", transaction.path("transactionId").asText()).contains(ByteString.copyFrom(
                    OtlpIds.transactionTraceId(transaction.path("tenant").asText(), transaction.path("transactionId").asText())));
        }
    }

    /**
     * One job, two formats: the sample's spans as OTLP protobuf records on one topic, as the
     * Collector's Kafka exporter writes them (encoding otlp_proto), with a request that does not
     * decode among them, and its other lines (logs, malformed lines) native on another, read with
     * {@code input.kafka.format: <topic>=otlp_proto}. Together they must give the sample's
     * transactions, and the dead letters its malformed lines and that request.
     */
    @Test
    void otlpSpansOnOneTopicAndNativeLinesOnAnotherGiveTheSamplesTransactions(@TempDir Path dir) throws Exception {
        List<String> given = Files.readAllLines(SamplesStitchTest.resource("small.ndjson"), StandardCharsets.UTF_8);
        OtlpEncoding.Encoded encoded = OtlpEncoding.encode(given);
        List<byte[]> requests = new ArrayList<>(encoded.requests().stream().map(r -> r.toByteArray()).toList());
        byte[] garbage = {0x0A, 0x7F, 0x01};
        requests.add(3, garbage);
        KAFKA.createTopic("otlp_spans", 3);
        KAFKA.createTopic("native-lines", 2);
        KAFKA.createTopic("transactions-otlp", 3);
        KAFKA.createTopic("dead-letters-otlp", 1);
        KafkaTopics.produce(KAFKA.bootstrapServers(), "otlp_spans", 3, requests);
        KafkaTopics.produce(KAFKA.bootstrapServers(), "native-lines", 2, KafkaTopics.utf8(encoded.nativeLines()));

        RunConfig config = config(dir, Map.of(
                "input.kafka.topics", "otlp_spans,native-lines",
                "input.kafka.group-id", "stitch-otlp",
                "input.kafka.format", "otlp_spans=otlp_proto",
                "output.kafka.topic", "transactions-otlp",
                "output.kafka.dead-letter-topic", "dead-letters-otlp"));
        StreamingRun.start(config, null).getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<KafkaTopics.Read> records = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), "transactions-otlp");
        assertThat(KafkaTopics.changelogViolations(records)).isEmpty();
        FinalView view = FinalView.of(new ArrayList<>(KafkaTopics.compacted(records).values()));
        assertThat(view.differences(SamplesStitchTest.resource("small.expected.ndjson"))).isEmpty();
        String garbageRaw = Base64.getEncoder().encodeToString(garbage);
        List<String> dead = new ArrayList<>();
        for (KafkaTopics.Read letter : KafkaTopics.readCommitted(KAFKA.bootstrapServers(), "dead-letters-otlp")) {
            JsonNode json = JSON.readTree(letter.value());
            dead.add(json.path("raw").asText());
            if (json.path("raw").asText().equals(garbageRaw)) {
                assertThat(json.path("reason").asText()).isEqualTo("malformed-otlp");
            }
        }
        List<String> wantDead = new ArrayList<>(given.stream().filter(SamplesStitchTest::malformed)
                .map(SamplesStitchTest::truncate).toList());
        wantDead.add(garbageRaw);
        assertThat(dead).containsExactlyInAnyOrderElementsOf(wantDead);
    }

    @Test
    void aClusterWithoutACheckpointDirectoryIsRefused(@TempDir Path dir) throws Exception {
        // The test cluster is not the embedded one of java -jar, which has a default directory.
        RunConfig config = config(dir, Map.of("input.kafka.topics", "in", "input.kafka.group-id", "g",
                "output.kafka.topic", "out", "output.kafka.dead-letter-topic", "dead"));
        RunConfig withoutDirectory = new RunConfig(config.bootstrapServers(), config.kafkaProperties(),
                config.kafkaInput(), config.kinesisInput(), config.bounded(), config.idleTimeout(), config.outputTopic(),
                config.deadLetterTopic(), config.transactionalIdPrefix(), config.otlpOutput(), config.checkpointInterval(), null,
                config.stateBackend(), config.parallelism(), config.stitch());
        assertThatThrownBy(() -> StreamingRun.environment(withoutDirectory, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoint.dir is not set, nor is the cluster's execution.checkpointing.dir: checkpoints "
                        + "would go to the JobManager's memory (at most 5 MiB), fail, and nothing would be committed");
    }

    /** The run configuration of a bounded run from the input's earliest offsets, with the given keys. */
    private static RunConfig config(Path dir, Map<String, String> keys) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>(Map.of("input.bounded", "true", "input.kafka.start", "earliest"));
        settings.putAll(keys);
        return KAFKA.runConfig(dir, settings);
    }

}
