package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.config.RunConfigLoader;
import io.tracestitch.operators.output.otlp.OtlpIds;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.KafkaBroker;
import io.tracestitch.testing.KafkaTopics;
import io.tracestitch.testing.MiniClusters;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
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
    private static KafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = KafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"small", "late", "formats"})
    void shuffledSampleThroughKafkaGivesTheExpectedCompactedTopic(String sample, @TempDir Path dir) throws Exception {
        List<String> given = Files.readAllLines(SamplesStitchTest.resource(sample + ".ndjson"), StandardCharsets.UTF_8);
        String input = "in-" + sample;
        String output = "transactions-" + sample;
        String deadLetters = "dead-letters-" + sample;
        String otlp = "otlp-" + sample;
        kafka.createTopic(input, 3);
        kafka.createTopic(output, 3);
        kafka.createTopic(deadLetters, 1);
        kafka.createTopic(otlp, 2);
        KafkaTopics.produce(kafka.bootstrapServers(), input, 3,
                KafkaTopics.utf8(SamplesStitchTest.reorder(given, SamplesStitchTest.Order.SHUFFLED)));

        RunConfig config = config(dir, Map.of(
                "input.kafka.topics", input,
                "input.kafka.group-id", "stitch-" + sample,
                "output.kafka.topic", output,
                "output.kafka.dead-letter-topic", deadLetters,
                "output.kafka.otlp-topic", otlp));
        StreamingRun.start(config, null).getJobExecutionResult().get(3, TimeUnit.MINUTES);

        List<KafkaTopics.Read> records = KafkaTopics.readCommitted(kafka.bootstrapServers(), output);
        assertThat(KafkaTopics.changelogViolations(records)).as("the transactions topic as a changelog").isEmpty();
        FinalView view = FinalView.of(new ArrayList<>(KafkaTopics.compacted(records).values()));
        assertThat(view.differences(SamplesStitchTest.resource(sample + ".expected.ndjson")))
                .as("compacted %s against the expected transactions", output).isEmpty();

        List<String> wantDead = given.stream().filter(SamplesStitchTest::malformed)
                .map(SamplesStitchTest::truncate).sorted().toList();
        List<String> dead = new ArrayList<>();
        for (KafkaTopics.Read record : KafkaTopics.readCommitted(kafka.bootstrapServers(), deadLetters)) {
            JsonNode letter = JSON.readTree(record.value());
            assertThat(letter.path("reason").asText()).isNotEmpty();
            dead.add(letter.path("raw").asText());
        }
        dead.sort(null);
        assertThat(dead).as("dead letters of %s", sample).containsExactlyElementsOf(wantDead);

        // Every committed OTLP record is an ExportTraceServiceRequest; each current transaction is one trace.
        Set<ByteString> traces = new HashSet<>();
        for (KafkaTopics.Read record : KafkaTopics.readCommitted(kafka.bootstrapServers(), otlp)) {
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

    /** The run configuration as a user writes it: a YAML file with the broker, checkpoints and the given keys. */
    private static RunConfig config(Path dir, Map<String, String> keys) throws Exception {
        StringBuilder yaml = new StringBuilder()
                .append("kafka.bootstrap-servers: ").append(kafka.bootstrapServers()).append('\n')
                .append("input.bounded: true\n")
                .append("input.kafka.start: earliest\n")
                .append("parallelism: 2\n")
                .append("checkpoint.interval: 1s\n")
                .append("checkpoint.dir: ").append(dir.resolve("checkpoints").toUri()).append('\n');
        keys.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
        Path file = Files.writeString(dir.resolve("run.yaml"), yaml);
        return RunConfigLoader.load(file, List.of(), Map.of()).config();
    }

}
