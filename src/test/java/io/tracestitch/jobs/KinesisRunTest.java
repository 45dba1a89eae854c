package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.KafkaBrokerExtension;
import io.tracestitch.testing.KafkaTopics;
import io.tracestitch.testing.Kinesalite;
import io.tracestitch.testing.MiniClusters;
import io.tracestitch.testing.OtlpEncoding;
import io.tracestitch.testing.ReferenceStitcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.InjectClusterRESTAddress;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} with Kinesis input, as it is deployed: spans on Kafka, Lambda logs on Kinesis as
 * CloudWatch Logs subscription records (gzip), both real (a Kafka broker, kinesalite). The formats
 * sample is split that way: its spans and the lines no subscription would carry go to a
 * 2-partition topic, its subscription messages and its native log records (rewritten as
 * subscription messages, a few events each) gzipped into a 2-shard stream, after a gzip bomb and a
 * truncated gzip record. The job is endless, so the test polls the committed output until its
 * compacted view is the sample's expected transactions, and the dead-letter topic until it holds
 * exactly the sample's malformed lines and the two broken records; then the job must still be
 * running, never restarted, and is cancelled.
 *
 * <p>The last transactions close once event time passes them. A quiet input lets event time go on
 * with the clock only after {@code input.idle-timeout}, and then at the clock's pace, minutes for
 * {@code max-hop-delay}. So each partition and each shard ends with a flush record ten minutes of
 * event time after the sample (a span of its own tenant, a START line of a request no span has):
 * far enough for every gap and {@code max-hop-delay} to pass, and within the horizon, so a record
 * read after another shard's flush is late but still used.
 */
class KinesisRunTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 120;
    private static final String SAMPLE = "formats";
    /**
     * System properties the Kinesis consumer's AWS SDK (v1, shaded into the connector) reads: its
     * default credential chain's keys (kinesalite takes any), and CBOR off, because kinesalite 3.3.3
     * cuts CBOR GetRecords responses short once they hold about 15 KB of record data (the source
     * then fails on every attempt).
     */
    private static final Map<String, String> SDK_PROPERTIES = Map.of(
            "aws.accessKeyId", "kinesalite",
            "aws.secretKey", "kinesalite",
            "org.apache.flink.kinesis.shaded.com.amazonaws.sdk.disableCbor", "true");

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    private static Kinesalite kinesalite;
    private static final Map<String, String> savedProperties = new LinkedHashMap<>();

    @BeforeAll
    static void startServices() throws Exception {
        kinesalite = Kinesalite.start();
        SDK_PROPERTIES.forEach((property, value) -> {
            savedProperties.put(property, System.getProperty(property));
            System.setProperty(property, value);
        });
    }

    @AfterAll
    static void stopServices() {
        savedProperties.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
        if (kinesalite != null) {
            kinesalite.close();
        }
    }

    @Test
    void spansOnKafkaAndLogsOnKinesisGiveTheSamplesTransactionsAndBrokenRecordsAreDeadLetters(
            @InjectClusterRESTAddress URI rest, @TempDir Path dir) throws Exception {
        List<String> given = Files.readAllLines(SamplesStitchTest.resource(SAMPLE + ".ndjson"), StandardCharsets.UTF_8);
        Split split = Split.of(given);

        String spans = "spans";
        String logs = "logs";
        KAFKA.createTopic(spans, 2);
        KAFKA.createTopic("transactions", 2);
        KAFKA.createTopic("dead-letters", 1);
        kinesalite.createStream(logs, 2);

        byte[] bomb = gzipOfZeros(64 << 20);
        byte[] truncated = gzip(split.kinesis.get(0));
        truncated = Arrays.copyOf(truncated, truncated.length / 2);
        List<byte[]> records = new ArrayList<>(List.of(bomb, truncated));
        for (byte[] message : split.kinesis) {
            records.add(gzip(message));
        }
        putRecords(logs, records);
        KafkaTopics.produce(KAFKA.bootstrapServers(), spans, 2, KafkaTopics.utf8(split.kafka));

        long flushMs = split.latestMs + 600_000;
        KafkaTopics.produce(KAFKA.bootstrapServers(), spans, 2, KafkaTopics.utf8(List.of(flushSpan(flushMs, 0),
                flushSpan(flushMs, 1))));
        putToEveryShard(logs, gzip(flushMessage(flushMs)));

        RunConfig config = KAFKA.runConfig(dir, Map.of(
                "output.kafka.topic", "transactions",
                "output.kafka.dead-letter-topic", "dead-letters",
                "input.kafka.topics", spans,
                "input.kafka.group-id", "kinesis-run",
                "input.kafka.start", "earliest",
                "input.kinesis.streams", logs,
                "input.kinesis.region", kinesalite.region(),
                "input.kinesis.endpoint", kinesalite.endpoint(),
                "input.kinesis.format", "cloudwatch-logs",
                "input.kinesis.start", "trim-horizon"));
        List<String> wantDead = new ArrayList<>(given.stream().filter(SamplesStitchTest::malformed)
                .map(SamplesStitchTest::truncate).toList());
        String bombRaw = Base64.getEncoder().encodeToString(Arrays.copyOf(bomb, 1536));
        String truncatedRaw = Base64.getEncoder().encodeToString(truncated);
        wantDead.add(bombRaw);
        wantDead.add(truncatedRaw);
        wantDead.sort(null);
        List<FinalView.Expected> expected = FinalView.expectedFile(SamplesStitchTest.resource(SAMPLE + ".expected.ndjson"));

        JobClient job = StreamingRun.start(config, null);
        try {
            Outputs out = awaitOutputs(rest, job, "transactions", "dead-letters", expected, wantDead);
            assertThat(out.reasons().get(bombRaw)).isEqualTo("decompressed-too-large");
            assertThat(out.reasons().get(truncatedRaw)).isEqualTo("truncated-gzip");
        } finally {
            cancel(job);
        }
    }

    /**
     * Kinesis alone, in the ndjson format: the small sample's lines, up to ten per record, some
     * ending in CRLF, into a 2-shard stream, with a flush span at the end of each shard.
     */
    @Test
    void ndjsonRecordsOfSeveralLinesOnKinesisAloneGiveTheSamplesTransactions(@InjectClusterRESTAddress URI rest,
            @TempDir Path dir) throws Exception {
        SmallOnKinesis small = SmallOnKinesis.create("lines", "small");
        putRecords(small.stream(), small.records());
        putToEveryShard(small.stream(), small.flushSpan());

        JobClient job = StreamingRun.start(small.config(dir), null);
        try {
            small.awaitExact(rest, job);
        } finally {
            cancel(job);
        }
    }

    /**
     * The same records in two halves around a stop with a savepoint: the new job must resume every
     * shard where the savepoint left it. A re-read malformed line would be a second dead letter, a
     * skipped record a missing transaction, so the exact outputs prove that the consumer's shard
     * positions survive a savepoint.
     */
    @Test
    void aStopWithSavepointResumesEveryShardWhereItStopped(@InjectClusterRESTAddress URI rest, @TempDir Path dir)
            throws Exception {
        SmallOnKinesis small = SmallOnKinesis.create("resumed", "resumed");
        List<byte[]> firstHalf = small.records().subList(0, small.records().size() / 2);
        long deadInFirstHalf = firstHalf.stream()
                .flatMap(record -> new String(record, StandardCharsets.UTF_8).lines())
                .filter(SamplesStitchTest::malformed).count();
        assertThat(deadInFirstHalf).as("malformed lines in the first half, to count re-reads by").isPositive();
        putRecords(small.stream(), firstHalf);
        RunConfig config = small.config(dir);

        JobClient first = StreamingRun.start(config, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (KafkaTopics.readCommitted(KAFKA.bootstrapServers(), small.deadLetters()).size() < deadInFirstHalf) {
            assertThat(System.nanoTime()).as("the first half's dead letters committed in time").isLessThan(deadline);
            Thread.sleep(200);
        }
        String savepoint = first.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

        putRecords(small.stream(), small.records().subList(firstHalf.size(), small.records().size()));
        putToEveryShard(small.stream(), small.flushSpan());
        JobClient second = StreamingRun.start(config, savepoint);
        try {
            small.awaitExact(rest, second);
        } finally {
            cancel(second);
        }
    }

    /**
     * OTLP protobuf on Kinesis ({@code input.kinesis.format: otlp_proto}), one request per record as
     * a producer of the Collector's requests would put them, with a record that does not decode among
     * them: the spans' transactions, and that record as one {@code malformed-otlp} dead letter.
     */
    @Test
    void otlpProtoRecordsOnKinesisGiveTheTransactionsOfTheirSpans(@InjectClusterRESTAddress URI rest,
            @TempDir Path dir) throws Exception {
        List<String> given = Files.readAllLines(SamplesStitchTest.resource("small.ndjson"), StandardCharsets.UTF_8);
        OtlpEncoding.Encoded encoded = OtlpEncoding.encode(given);
        Set<String> notSpans = new HashSet<>(encoded.nativeLines());
        List<String> spanLines = given.stream().filter(line -> !notSpans.contains(line)).toList();
        List<byte[]> records = new ArrayList<>(encoded.requests().stream().map(request -> request.toByteArray()).toList());
        byte[] garbage = {0x0A, 0x7F, 0x01};
        records.add(records.size() / 2, garbage);
        String stream = "otlp";
        KAFKA.createTopic("otlp-transactions", 2);
        KAFKA.createTopic("otlp-dead-letters", 1);
        kinesalite.createStream(stream, 2);
        putRecords(stream, records);
        long latest = SmallOnKinesis.latestEventTime(spanLines);
        long flushMs = latest + 600_000;
        String flush = "{\"type\":\"span\",\"tenant\":\"flush\",\"traceId\":\"" + "f1a5".repeat(8) + "\",\"spanId\":\""
                + "f1a5".repeat(4) + "\",\"startMs\":" + flushMs + ",\"endMs\":" + flushMs + "}";
        putToEveryShard(stream, OtlpEncoding.encode(List.of(flush)).requests().get(0).toByteArray());
        List<FinalView.Expected> expected = ReferenceStitcher.expected(spanLines);

        RunConfig config = KAFKA.runConfig(dir, Map.of(
                "output.kafka.topic", "otlp-transactions",
                "output.kafka.dead-letter-topic", "otlp-dead-letters",
                "input.kinesis.streams", stream,
                "input.kinesis.region", kinesalite.region(),
                "input.kinesis.endpoint", kinesalite.endpoint(),
                "input.kinesis.format", "otlp_proto",
                "input.kinesis.start", "trim-horizon"));
        JobClient job = StreamingRun.start(config, null);
        try {
            Outputs out = awaitOutputs(rest, job, "otlp-transactions", "otlp-dead-letters", expected,
                    List.of(Base64.getEncoder().encodeToString(garbage)));
            assertThat(out.reasons()).containsValue("malformed-otlp");
        } finally {
            cancel(job);
        }
    }

    /**
     * The small sample on a 2-shard stream of its own: its lines shuffled, up to ten per record,
     * alternate records ending lines in CRLF; the job reads the stream alone in the ndjson format.
     */
    private record SmallOnKinesis(String stream, String transactions, String deadLetters, List<byte[]> records,
            List<String> wantDead, long latestMs) {

        static SmallOnKinesis create(String stream, String topicPrefix) throws Exception {
            List<String> given = Files.readAllLines(SamplesStitchTest.resource("small.ndjson"), StandardCharsets.UTF_8);
            SmallOnKinesis small = new SmallOnKinesis(stream, topicPrefix + "-transactions",
                    topicPrefix + "-dead-letters", records(given), given.stream().filter(SamplesStitchTest::malformed)
                            .map(SamplesStitchTest::truncate).sorted().toList(), latestEventTime(given));
            KAFKA.createTopic(small.transactions(), 2);
            KAFKA.createTopic(small.deadLetters(), 1);
            kinesalite.createStream(stream, 2);
            return small;
        }

        private static List<byte[]> records(List<String> given) {
            List<String> lines = new ArrayList<>(given);
            Collections.shuffle(lines, new Random(3));
            List<byte[]> records = new ArrayList<>();
            for (int from = 0; from < lines.size(); from += 10) {
                List<String> batch = lines.subList(from, Math.min(lines.size(), from + 10));
                String end = records.size() % 2 == 0 ? "\n" : "\r\n";
                records.add(String.join(end, batch).concat(end).getBytes(StandardCharsets.UTF_8));
            }
            return records;
        }

        static long latestEventTime(List<String> given) throws IOException {
            long latest = 0;
            for (String line : given) {
                if (!SamplesStitchTest.malformed(line) && !line.isBlank()) {
                    latest = Math.max(latest, Split.eventTime(JSON.readTree(line)));
                }
            }
            return latest;
        }

        byte[] flushSpan() {
            return KinesisRunTest.flushSpan(latestMs + 600_000, 0).getBytes(StandardCharsets.UTF_8);
        }

        RunConfig config(Path dir) throws Exception {
            return KAFKA.runConfig(dir, Map.of(
                    "output.kafka.topic", transactions,
                    "output.kafka.dead-letter-topic", deadLetters,
                    "input.kinesis.streams", stream,
                    "input.kinesis.region", kinesalite.region(),
                    "input.kinesis.endpoint", kinesalite.endpoint(),
                    "input.kinesis.start", "trim-horizon"));
        }

        void awaitExact(URI rest, JobClient job) throws Exception {
            awaitOutputs(rest, job, transactions, deadLetters,
                    FinalView.expectedFile(SamplesStitchTest.resource("small.expected.ndjson")),
                    wantDead);
        }
    }

    /** What the job wrote: the transactions topic's records, and the dead letters' reasons by raw. */
    private record Outputs(List<KafkaTopics.Read> transactions, Map<String, String> reasons) {}

    /**
     * Polls the committed outputs until the compacted transactions are the expected ones and the
     * dead letters' raws are exactly {@code wantDead}, or the timeout; then checks them, the
     * changelog and that the job is running and never failed.
     */
    private static Outputs awaitOutputs(URI rest, JobClient job, String transactions, String deadLetters,
            List<FinalView.Expected> expected,
            List<String> wantDead) throws Exception {
        long started = System.nanoTime();
        List<String> differences = List.of("nothing read yet");
        List<String> dead = List.of();
        Map<String, String> reasons = Map.of();
        List<KafkaTopics.Read> output = List.of();
        while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS)) {
            JobStatus status = job.getJobStatus().get();
            assertThat(status.isTerminalState()).as("job ended: %s", status).isFalse();
            output = KafkaTopics.readCommitted(KAFKA.bootstrapServers(), transactions);
            differences = FinalView.of(new ArrayList<>(KafkaTopics.compacted(output).values())).differences(expected);
            dead = new ArrayList<>();
            reasons = new LinkedHashMap<>();
            for (KafkaTopics.Read record : KafkaTopics.readCommitted(KAFKA.bootstrapServers(), deadLetters)) {
                JsonNode letter = JSON.readTree(record.value());
                dead.add(letter.path("raw").asText());
                reasons.put(letter.path("raw").asText(), letter.path("reason").asText());
            }
            dead.sort(null);
            if (differences.isEmpty() && dead.equals(wantDead)) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(differences).as("compacted %s against %s; %d records, %d dead letters; failures: %s", transactions,
                expected.size() + " expected transactions", output.size(), dead.size(), failures(rest, job)).isEmpty();
        assertThat(KafkaTopics.changelogViolations(output)).as("%s as a changelog", transactions).isEmpty();
        assertThat(dead).as("dead letters").containsExactlyElementsOf(wantDead);
        assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        assertThat(failures(rest, job)).as("the job's failures").isEmpty();
        return new Outputs(output, reasons);
    }

    private static void cancel(JobClient job) throws Exception {
        job.cancel().get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!job.getJobStatus().get().isGloballyTerminalState() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /**
     * The sample by where it goes: subscription messages, and native log records rewritten as
     * subscription messages, to Kinesis; everything else to Kafka. Malformed log records stay lines
     * (on Kafka), so that the same lines are dead letters as in the file.
     */
    private record Split(List<String> kafka, List<byte[]> kinesis, long latestMs) {
        static Split of(List<String> lines) throws IOException {
            List<String> kafka = new ArrayList<>();
            List<byte[]> kinesis = new ArrayList<>();
            List<JsonNode> batch = new ArrayList<>();
            long latest = 0;
            for (String line : lines) {
                JsonNode record = line.isBlank() || !line.startsWith("{") ? null : readOrNull(line);
                boolean valid = !SamplesStitchTest.malformed(line);
                if (valid) {
                    latest = Math.max(latest, eventTime(record));
                }
                boolean log = valid && record != null && "log".equals(record.path("type").asText());
                if (record != null && record.has("messageType")) {
                    kinesis.add(line.getBytes(StandardCharsets.UTF_8));
                } else if (log) {
                    if (!batch.isEmpty() && (batch.size() == 5 || !sameGroup(batch.get(0), record))) {
                        kinesis.add(subscriptionMessage(batch));
                        batch.clear();
                    }
                    batch.add(record);
                } else {
                    kafka.add(line);
                }
            }
            if (!batch.isEmpty()) {
                kinesis.add(subscriptionMessage(batch));
            }
            Collections.shuffle(kinesis, new Random(7));
            return new Split(kafka, kinesis, latest);
        }

        private static boolean sameGroup(JsonNode a, JsonNode b) {
            return a.path("tenant").equals(b.path("tenant")) && a.path("function").equals(b.path("function"));
        }

        /** A DATA_MESSAGE as CloudWatch Logs writes it for these log records of one function. */
        private static byte[] subscriptionMessage(List<JsonNode> logs) throws IOException {
            ObjectNode message = JSON.createObjectNode()
                    .put("messageType", "DATA_MESSAGE")
                    .put("owner", logs.get(0).path("tenant").asText())
                    .put("logGroup", "/aws/lambda/" + logs.get(0).path("function").asText())
                    .put("logStream", "2024/11/23/[$LATEST]0123456789abcdef0123456789abcdef");
            message.putArray("subscriptionFilters").add("tracestitch");
            ArrayNode events = message.putArray("logEvents");
            for (JsonNode log : logs) {
                ObjectNode event = events.addObject();
                event.put("id", Integer.toString(events.size()));
                event.set("timestamp", log.path("timestampMs"));
                event.put("message", log.path("message").asText());
            }
            return JSON.writeValueAsBytes(message);
        }

        private static JsonNode readOrNull(String line) {
            try {
                return JSON.readTree(line);
            } catch (IOException malformed) {
                return null;
            }
        }

        static long eventTime(JsonNode record) {
            if (record == null || !record.isObject()) {
                return 0;
            }
            long latest = Math.max((long) record.path("endMs").asDouble(0), (long) record.path("timestampMs").asDouble(0));
            for (JsonNode event : record.path("logEvents")) {
                latest = Math.max(latest, (long) event.path("timestamp").asDouble(0));
            }
            return latest;
        }
    }

    private static String flushSpan(long flushMs, int partition) {
        return "{\"type\":\"span\",\"tenant\":\"flush\",\"traceId\":\"flush-" + partition + "\",\"spanId\":\"f\","
                + "\"startMs\":" + flushMs + ",\"endMs\":" + flushMs + "}";
    }

    private static byte[] flushMessage(long flushMs) {
        return ("{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"flush\",\"logGroup\":\"/aws/lambda/flush\",\"logEvents\":["
                + "{\"id\":\"1\",\"timestamp\":" + flushMs + ",\"message\":\"START RequestId: 00000000-0000-4000-8000-00000000f1f1 "
                + "Version: $LATEST\\n\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    /** One record into each shard of the stream, after everything put before it there. */
    private static void putToEveryShard(String stream, byte[] data) throws Exception {
        for (JsonNode shard : kinesalite.call("DescribeStream", Map.of("StreamName", stream))
                .path("StreamDescription").path("Shards")) {
            kinesalite.call("PutRecord", Map.of("StreamName", stream, "PartitionKey", "flush",
                    "ExplicitHashKey", shard.path("HashKeyRange").path("StartingHashKey").asText(),
                    "Data", Base64.getEncoder().encodeToString(data)));
        }
    }

    /** PutRecords in batches of 500 (the API's limit), random partition keys spreading them over the shards. */
    private static void putRecords(String stream, List<byte[]> records) throws Exception {
        Random random = new Random(11);
        for (int from = 0; from < records.size(); from += 500) {
            List<Map<String, String>> batch = new ArrayList<>();
            for (byte[] data : records.subList(from, Math.min(records.size(), from + 500))) {
                batch.add(Map.of("PartitionKey", Long.toHexString(random.nextLong()),
                        "Data", Base64.getEncoder().encodeToString(data)));
            }
            JsonNode put = kinesalite.call("PutRecords", Map.of("StreamName", stream, "Records", batch));
            assertThat(put.path("FailedRecordCount").asInt()).as("records PutRecords refused").isZero();
        }
    }

    /**
     * The root exceptions of the job's exception history, from the cluster's REST API, first lines
     * only: empty when no task ever failed (a failure restarts the job from its last checkpoint).
     */
    private static List<String> failures(URI rest, JobClient job) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                rest.resolve("/jobs/" + job.getJobID() + "/exceptions")).build(), HttpResponse.BodyHandlers.ofString());
        List<String> failures = new ArrayList<>();
        for (JsonNode entry : JSON.readTree(response.body()).path("exceptionHistory").path("entries")) {
            failures.add(entry.path("stacktrace").asText().lines().limit(3).reduce("", (text, line) -> text + " " + line.strip()));
        }
        return failures;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }

    /** Zeros streamed through gzip, never held: a few bytes per kilobyte. */
    private static byte[] gzipOfZeros(int bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (int left = bytes; left > 0; left -= zeros.length) {
                gzip.write(zeros, 0, Math.min(zeros.length, left));
            }
        }
        return out.toByteArray();
    }

}
