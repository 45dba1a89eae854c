package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CloudWatch Logs subscription records from Kinesis: real captured records decode to the messages
 * they hold, control messages are ignored after decoding, and every way a record can fail to
 * decompress is a dead letter with its reason, the record's head in Base64 and, for a
 * decompression bomb, without ever holding more than the limit.
 */
class CloudWatchLogsDecoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTROL_MESSAGE = "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\","
            + "\"logGroup\":\"\",\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\","
            + "\"timestamp\":1600110003794,\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.\"}]}";
    private static final String DATA_MESSAGE = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111111111111\","
            + "\"logGroup\":\"/aws/lambda/orders\",\"logStream\":\"s\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
            + "{\"id\":\"1\",\"timestamp\":1732400020465,\"message\":\"START RequestId: 2fb44fd6-0000-4000-8000-000000000001 Version: $LATEST\\n\"}]}";

    // --- What decodes ---

    @Test
    void realSubscriptionRecordsDecodeToTheirMessages() throws IOException {
        JsonNode event;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/kinesisStreamCloudWatchLogsEvent.json")) {
            event = JSON.readTree(in);
        }
        List<LogFact> logs = new ArrayList<>();
        for (JsonNode record : event.path("Records")) {
            byte[] data = Base64.getDecoder().decode(record.path("kinesis").path("data").asText());
            byte[] json = decoded(data);
            assertThat(json).isEqualTo(gunzip(data));
            RecordParserTest.Collected parsed = parse(json);
            assertThat(parsed.dead).isEmpty();
            logs.addAll(parsed.logs);
        }
        assertThat(logs).hasSize(6).allSatisfy(log -> {
            assertThat(log.tenant()).isEqualTo("231436140809");
            assertThat(log.function()).isEqualTo("pt-1488-DummyLogDataFunction-gnWXPvL6jJyG");
        });
    }

    @Test
    void aControlMessageDecodesAndIsIgnored() throws IOException {
        RecordParserTest.Collected parsed = parse(decoded(gzip(utf8(CONTROL_MESSAGE))));
        assertThat(parsed.ignored).isEqualTo(1);
        assertThat(parsed.logs).isEmpty();
        assertThat(parsed.dead).isEmpty();
    }

    @Test
    void concatenatedMembersAreOneStreamAsGunzipReadsIt() throws IOException {
        String message = DATA_MESSAGE;
        int cut = message.indexOf("\"logEvents\"");
        byte[] twoMembers = concat(gzip(utf8(message.substring(0, cut))), gzip(utf8(message.substring(cut))));
        assertThat(decoded(twoMembers)).isEqualTo(utf8(message)).isEqualTo(gunzip(twoMembers));
        assertThat(parse(decoded(twoMembers)).logs).hasSize(1);
        byte[] withEmptyMember = concat(gzip(new byte[0]), gzip(utf8(message)), gzip(new byte[0]));
        assertThat(decoded(withEmptyMember)).isEqualTo(utf8(message));
    }

    @Test
    void everyOptionalHeaderFieldIsSkipped() throws IOException {
        byte[] data = utf8(DATA_MESSAGE);
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.write(new byte[] {0x1f, (byte) 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3});
        header.write(new byte[] {5, 0, 'A', 'B', 3, 0, 'x'}); // FEXTRA: 5 bytes
        header.write(utf8("orders.json\0")); // FNAME
        header.write(utf8("a comment\0")); // FCOMMENT
        CRC32 headerCrc = new CRC32();
        headerCrc.update(header.toByteArray());
        header.write((int) headerCrc.getValue() & 0xFF);
        header.write((int) (headerCrc.getValue() >> 8) & 0xFF);
        byte[] member = concat(header.toByteArray(), deflate(data), trailer(data));
        assertThat(decoded(member)).isEqualTo(data).isEqualTo(gunzip(member));

        byte[] badHeaderCrc = member.clone();
        badHeaderCrc[header.size() - 1] ^= 0x01;
        assertThat(refused(badHeaderCrc)).extracting(DeadLetter::reason, DeadLetter::detail).containsExactly(
                CloudWatchLogsDecoder.CORRUPT_GZIP, "the header checksum of gzip member 1 does not match; raw is the "
                        + "record's " + member.length + " bytes in Base64");
        byte[] cutInName = Arrays.copyOf(member, 22);
        assertThat(refused(cutInName).detail()).startsWith("the record ends inside the header of gzip member 1");
    }

    @Test
    void theLimitIsInclusive() throws IOException {
        byte[] exactly = new byte[1000];
        Arrays.fill(exactly, (byte) ' ');
        assertThat(((CloudWatchLogsDecoder.Decoded) CloudWatchLogsDecoder.decode(gzip(exactly), 1000)).json()).isEqualTo(exactly);
        DeadLetter over = ((CloudWatchLogsDecoder.Refused) CloudWatchLogsDecoder.decode(gzip(exactly), 999)).deadLetter();
        assertThat(over.reason()).isEqualTo(CloudWatchLogsDecoder.DECOMPRESSED_TOO_LARGE);
        // The limit counts the whole stream, not each member.
        DeadLetter twoHalves = ((CloudWatchLogsDecoder.Refused) CloudWatchLogsDecoder.decode(
                concat(gzip(Arrays.copyOf(exactly, 600)), gzip(Arrays.copyOf(exactly, 600))), 1000)).deadLetter();
        assertThat(twoHalves.reason()).isEqualTo(CloudWatchLogsDecoder.DECOMPRESSED_TOO_LARGE);
    }

    // --- What is refused ---

    /**
     * A gigabyte of zeros in about 1 MB, the most a Kinesis record holds: 16 gzip members of 64 MiB
     * each (compressing a whole gigabyte by streaming takes 6 s; deflate's ratio is the same). It is
     * refused quickly, without growing its buffer beyond the limit.
     */
    @Test
    void aGzipBombIsRefusedFastInBoundedMemory() throws IOException {
        byte[] member = gzipOfZeros(64L << 20);
        byte[][] members = new byte[16][];
        Arrays.fill(members, member);
        byte[] bomb = concat(members);
        assertThat(bomb.length).as("compressed size").isLessThan(1_100_000);

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long started = System.nanoTime();
        DeadLetter refused = refused(bomb);
        long millis = (System.nanoTime() - started) / 1_000_000;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;

        assertThat(refused.reason()).isEqualTo(CloudWatchLogsDecoder.DECOMPRESSED_TOO_LARGE);
        assertThat(refused.detail()).startsWith("decompresses to more than 8388608 bytes (" + bomb.length + " bytes compressed)");
        assertThat(millis).as("milliseconds to refuse it").isLessThan(2_000);
        // The output buffer grows (doubling) up to the limit: all its sizes together stay under twice the limit.
        assertThat(allocated).as("bytes allocated while refusing it").isLessThan(2L * CloudWatchLogsDecoder.MAX_DECOMPRESSED_BYTES + (1 << 20));
    }

    @Test
    void aTruncatedRecordIsRefusedWhereverItIsCut() throws IOException {
        byte[] whole = gzip(utf8(DATA_MESSAGE));
        for (int length = 1; length < whole.length; length++) {
            DeadLetter refused = refused(Arrays.copyOf(whole, length));
            assertThat(refused.reason()).as("cut after %d of %d bytes", length, whole.length)
                    .isEqualTo(CloudWatchLogsDecoder.TRUNCATED_GZIP);
        }
        assertThat(refused(Arrays.copyOf(whole, 5)).detail()).startsWith("the record ends inside the header of gzip member 1");
        assertThat(refused(Arrays.copyOf(whole, 40)).detail()).startsWith("the record ends inside the compressed data of gzip member 1");
        assertThat(refused(Arrays.copyOf(whole, whole.length - 3)).detail()).startsWith("the record ends inside the trailer of gzip member 1");
        byte[] secondCut = concat(whole, Arrays.copyOf(whole, 30));
        assertThat(refused(secondCut).detail()).startsWith("the record ends inside the compressed data of gzip member 2");
    }

    @Test
    void aCorruptRecordIsRefusedWithWhatIsWrong() throws IOException {
        byte[] whole = gzip(utf8(DATA_MESSAGE));
        byte[] badCrc = whole.clone();
        badCrc[whole.length - 8] ^= 0x55;
        assertThat(refused(badCrc)).extracting(DeadLetter::reason, DeadLetter::detail).containsExactly(
                CloudWatchLogsDecoder.CORRUPT_GZIP, "the checksum of gzip member 1 does not match its data; raw is the record's "
                        + whole.length + " bytes in Base64");
        byte[] badSize = whole.clone();
        badSize[whole.length - 1] ^= 0x01;
        assertThat(refused(badSize).detail()).startsWith("the size in the trailer of gzip member 1 does not match");
        byte[] badMethod = whole.clone();
        badMethod[2] = 7;
        assertThat(refused(badMethod).detail()).startsWith("gzip member 1 names compression method 7, not deflate (8)");
        byte[] reservedFlag = whole.clone();
        reservedFlag[3] = (byte) 0x80;
        assertThat(refused(reservedFlag).detail()).startsWith("gzip member 1 sets reserved header flags");
        byte[] badData = whole.clone();
        badData[10] = (byte) 0xFF; // block type 3 does not exist
        assertThat(refused(badData).detail()).startsWith("the compressed data of gzip member 1 is invalid");
        assertThat(refused(concat(whole, new byte[] {0, 0, 0, 0})).detail())
                .startsWith("4 bytes after gzip member 1 are not another gzip member");
        Stream.of(badCrc, badSize, badMethod, reservedFlag, badData)
                .forEach(record -> assertThat(refused(record).reason()).isEqualTo(CloudWatchLogsDecoder.CORRUPT_GZIP));
    }

    @Test
    void whatIsNotGzipIsRefusedWithAHintWhenTheMistakeIsKnown() {
        assertThat(refused(new byte[0])).extracting(DeadLetter::reason, DeadLetter::detail, DeadLetter::raw)
                .containsExactly(CloudWatchLogsDecoder.NOT_GZIP, "an empty record; raw is the record's 0 bytes in Base64", "");
        DeadLetter json = refused(utf8(DATA_MESSAGE));
        assertThat(json.reason()).isEqualTo(CloudWatchLogsDecoder.NOT_GZIP);
        assertThat(json.detail()).startsWith("starts with 7b 22, not the gzip magic bytes 1f 8b: plain JSON, which "
                + "input.kinesis.format ndjson reads");
        DeadLetter base64 = refused(utf8(Base64.getEncoder().encodeToString(gzipUnchecked(utf8(DATA_MESSAGE)))));
        assertThat(base64.detail()).startsWith("starts with 48 34, not the gzip magic bytes 1f 8b: gzip in Base64 (H4sI)");
        assertThat(refused(new byte[] {0x1f, 0x00}).detail()).startsWith("starts with 1f 00, not the gzip magic bytes");
    }

    /** Binary input cannot be a JSON string: {@code raw} is the Base64 of the record's first 1536 bytes, 2048 characters. */
    @Test
    void theDeadLetterHoldsTheRecordsHeadInBase64() throws IOException {
        byte[] big = new byte[5000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        DeadLetter refused = refused(big);
        assertThat(refused.raw()).hasSize(DeadLetter.MAX_RAW_CHARS);
        assertThat(Base64.getDecoder().decode(refused.raw())).isEqualTo(Arrays.copyOf(big, 1536));
        assertThat(refused.detail()).endsWith("; raw is the first 1536 of the record's 5000 bytes in Base64");
        byte[] small = Arrays.copyOf(gzip(utf8(DATA_MESSAGE)), 20);
        assertThat(Base64.getDecoder().decode(refused(small).raw())).isEqualTo(small);
        assertThat(JSON.readTree(refused.toJson()).path("raw").asText()).isEqualTo(refused.raw());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void everyReasonTheDecoderListsIsGivenByAnExampleOfIt(String reason) throws IOException {
        byte[] whole = gzip(utf8(DATA_MESSAGE));
        byte[] example = switch (reason) {
            case CloudWatchLogsDecoder.NOT_GZIP -> utf8(DATA_MESSAGE);
            case CloudWatchLogsDecoder.TRUNCATED_GZIP -> Arrays.copyOf(whole, whole.length / 2);
            case CloudWatchLogsDecoder.CORRUPT_GZIP -> concat(whole, utf8("garbage"));
            case CloudWatchLogsDecoder.DECOMPRESSED_TOO_LARGE -> gzipOfZeros(CloudWatchLogsDecoder.MAX_DECOMPRESSED_BYTES + 1L);
            default -> throw new AssertionError("no example for " + reason);
        };
        assertThat(refused(example).reason()).isEqualTo(reason);
    }

    static Stream<String> reasons() {
        return CloudWatchLogsDecoder.REASONS.stream();
    }

    /** The parser takes a decompressed message beyond a line's limit, up to the decoder's. */
    @Test
    void aDecompressedMessageMayExceedALinesLimit() throws IOException {
        StringBuilder events = new StringBuilder();
        String event = "{\"id\":\"1\",\"timestamp\":1732400020465,\"message\":\"" + "x".repeat(1000) + "\"},";
        while (events.length() < RecordParser.MAX_LINE_BYTES + 10_000) {
            events.append(event);
        }
        events.append("{\"id\":\"2\",\"timestamp\":1732400020466,\"message\":\"END RequestId: 2fb44fd6-0000-4000-8000-000000000001\\n\"}");
        byte[] message = utf8("{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"1\",\"logGroup\":\"/aws/lambda/f\",\"logEvents\":["
                + events + "]}");
        assertThat(message.length).isGreaterThan(RecordParser.MAX_LINE_BYTES);
        byte[] json = decoded(gzip(message));
        RecordParserTest.Collected parsed = new RecordParserTest.Collected();
        new RecordParser().parse(json, CloudWatchLogsDecoder.MAX_DECOMPRESSED_BYTES, parsed);
        assertThat(parsed.dead).isEmpty();
        assertThat(parsed.logs).hasSize(1);
        assertThat(parse(json).onlyDead().reason()).as("as a line").isEqualTo("line-too-long");

        RecordParserTest.Collected over = new RecordParserTest.Collected();
        new RecordParser().parse(json, 1000, over);
        assertThat(over.onlyDead().detail()).isEqualTo(json.length + " bytes, over the limit of 1000");
    }

    // --- Helpers ---

    private static byte[] decoded(byte[] record) {
        CloudWatchLogsDecoder.Result result = CloudWatchLogsDecoder.decode(record);
        assertThat(result).isInstanceOf(CloudWatchLogsDecoder.Decoded.class);
        return ((CloudWatchLogsDecoder.Decoded) result).json();
    }

    private static DeadLetter refused(byte[] record) {
        CloudWatchLogsDecoder.Result result = CloudWatchLogsDecoder.decode(record);
        assertThat(result).isInstanceOf(CloudWatchLogsDecoder.Refused.class);
        DeadLetter deadLetter = ((CloudWatchLogsDecoder.Refused) result).deadLetter();
        assertThat(CloudWatchLogsDecoder.REASONS).contains(deadLetter.reason());
        return deadLetter;
    }

    private static RecordParserTest.Collected parse(byte[] json) {
        RecordParserTest.Collected collected = new RecordParserTest.Collected();
        new RecordParser().parse(json, collected);
        return collected;
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(data);
        }
        return out.toByteArray();
    }

    private static byte[] gzipUnchecked(byte[] data) {
        try {
            return gzip(data);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code bytes} zeros through gzip at the best compression, streamed: the zeros are never held. */
    static byte[] gzipOfZeros(long bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out, 1 << 16) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            byte[] zeros = new byte[1 << 20];
            for (long left = bytes; left > 0; left -= zeros.length) {
                gzip.write(zeros, 0, (int) Math.min(zeros.length, left));
            }
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] data) throws IOException {
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
            return in.readAllBytes();
        }
    }

    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return out.toByteArray();
    }

    private static byte[] trailer(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        long c = crc.getValue();
        int n = data.length;
        return new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
                (byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
