package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.RecordParser;
import io.tracestitch.testing.FinalView;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Files in every encoding a byte-order mark can name, every line end, and lines of any length. */
class NdjsonFileFormatTest {

    private static final int LIMIT = RecordParser.MAX_LINE_BYTES;

    @TempDir
    Path dir;

    @Test
    void aUtf8ByteOrderMarkIsDroppedSoTheFirstLineParses() throws IOException {
        String span = "{\"type\":\"span\",\"traceId\":\"t1\",\"spanId\":\"s1\",\"startMs\":1,\"endMs\":2}";
        Path file = write(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(span + "\n" + span + "\n")));
        assertThat(texts(read(file))).containsExactly(span, span);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"})
    void aFileWithAByteOrderMarkIsDecodedAndEachLineHandedOnAsUtf8(String encoding) throws IOException {
        // The line ends of a Windows tool, an empty line, text beyond the BMP, a mark inside the file, no final line end.
        String text = "{\"service\":\"zahlung-é-日本-😀\"}\r\n\r\nsecond\n\uFEFFthird";
        Charset charset = Charset.forName(encoding);
        Path file = write(("\uFEFF" + text).getBytes(charset));
        assertThat(Files.readAllBytes(file)).startsWith("\uFEFF".getBytes(charset));

        List<FileLine> lines = read(file);
        assertThat(texts(lines)).containsExactly("{\"service\":\"zahlung-é-日本-😀\"}", "", "second", "\uFEFFthird");
        assertThat(lines.get(0).utf8()).isEqualTo(utf8("{\"service\":\"zahlung-é-日本-😀\"}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a\\nb | a,b",
        "a\\r\\nb\\r\\n | a,b",
        "a\\n\\nb\\n | a,,b",
        "\\n | ''",
        "'' | ",
        "a\\rb\\n | a\\rb",
        "{}\\n\\uFEFF{}\\n | {},\\uFEFF{}",
    })
    void linesEndWithLfOrCrLfAndTheLastNeedsNone(String file, String lines) throws IOException {
        List<String> expected = lines == null ? List.of() : Arrays.stream(lines.split(",", -1)).map(NdjsonFileFormatTest::unescape).toList();
        assertThat(texts(read(write(utf8(unescape(file)))))).isEqualTo(expected);
    }

    @Test
    void aLineOfExactlyTheLimitIsHandedOnAndOneByteMoreIsALineTooLong() throws IOException {
        String atLimit = "x".repeat(LIMIT);
        List<FileLine> lines = read(write(utf8(atLimit + "\r\n" + atLimit + "y\r\n{}")));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0).utf8()).hasSize(LIMIT);
        assertThat(lines.get(1).unreadable()).isEqualTo(new DeadLetter("line-too-long",
                "1048577 bytes, over the limit of 1048576", "x".repeat(DeadLetter.MAX_RAW_CHARS)));
        assertThat(texts(lines.subList(2, 3))).containsExactly("{}");
    }

    @Test
    void theLimitCountsBytesOfUtf8() throws IOException {
        // Fewer chars than the limit, but two bytes each in UTF-8.
        String accents = "é".repeat(LIMIT / 2 + 1);
        assertThat(read(write(utf8(accents))).get(0).unreadable().detail())
                .isEqualTo((LIMIT + 2) + " bytes, over the limit of 1048576");
        // Twice the limit in UTF-16 is the limit in UTF-8.
        String ascii = "x".repeat(LIMIT);
        assertThat(read(write(("\uFEFF" + ascii).getBytes(StandardCharsets.UTF_16LE))).get(0).utf8()).hasSize(LIMIT);
    }

    @Test
    void aFileWithoutAnyLineEndIsOneLineTooLongReadInBoundedMemory() throws IOException {
        long size = 50L << 20;
        Path file = dir.resolve("no-line-end.ndjson");
        byte[] block = new byte[1 << 20];
        Arrays.fill(block, (byte) 'x');
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                out.write(block);
            }
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
        List<FileLine> lines = read(file);
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

        assertThat(lines).hasSize(1);
        DeadLetter d = lines.get(0).unreadable();
        assertThat(d.reason()).isEqualTo("line-too-long");
        assertThat(d.detail()).isEqualTo(size + " bytes, over the limit of 1048576");
        assertThat(d.raw()).isEqualTo("x".repeat(DeadLetter.MAX_RAW_CHARS));
        assertThat(allocated).as("bytes allocated to read a %d-byte line", size).isLessThan(8L << 20);
    }

    @Test
    void afterALineTooLongReadingGoesOnAtTheNextLine() throws IOException {
        List<FileLine> lines = read(write(utf8("{}\n" + "x".repeat(3 * LIMIT) + "\n{\"a\":1}")));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1).unreadable().reason()).isEqualTo("line-too-long");
        assertThat(texts(List.of(lines.get(0), lines.get(2)))).containsExactly("{}", "{\"a\":1}");
    }

    @Test
    void aLineThatDoesNotDecodeInTheFilesEncodingIsInvalidEncodingAndTheNextIsRead() throws IOException {
        // A lone high surrogate, which no encoder writes: put together unit by unit.
        byte[] file = utf16le("\uFEFFok1\nbad", '\uD800', "x\nok2\n");
        List<FileLine> lines = read(write(file));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1).unreadable()).isEqualTo(new DeadLetter("invalid-encoding",
                "not valid UTF-16LE, the encoding the file's byte-order mark names", "bad\uFFFDx"));
        assertThat(texts(List.of(lines.get(0), lines.get(2)))).containsExactly("ok1", "ok2");
        assertThat(outcomes(read(write(utf16le("\uFEFFbad", '\uD800', "\nok\n")))))
                .as("the line end after a lone surrogate still ends the line").containsExactly("invalid-encoding", "ok");

        // A UTF-32 code point above U+10FFFF, and a UTF-16 file cut in the middle of a unit.
        byte[] beyondUnicode = concat("\uFEFFa\n".getBytes(Charset.forName("UTF-32BE")), new byte[] {0, 0x11, 0, 0},
                "\nb".getBytes(Charset.forName("UTF-32BE")));
        assertThat(outcomes(read(write(beyondUnicode)))).containsExactly("ok", "invalid-encoding", "ok");
        byte[] cut = concat("\uFEFFa\n".getBytes(StandardCharsets.UTF_16BE), new byte[] {0});
        assertThat(outcomes(read(write(cut)))).containsExactly("ok", "invalid-encoding");
    }

    /**
     * The whole job on a sample saved as Windows tools save text (UTF-16LE with a byte-order mark,
     * CRLF) plus one line over the limit: the same transactions, and dead letters in their JSON shape.
     */
    @Test
    void stitchReadsAUtf16FileWithCrLfLikeItsUtf8Original() throws Exception {
        Path sample = Path.of(getClass().getResource("/samples/small.ndjson").toURI());
        List<String> lines = new ArrayList<>(Files.readAllLines(sample, StandardCharsets.UTF_8));
        String tooLong = "x".repeat(LIMIT + 1);
        lines.add(tooLong);
        Path input = write(("\uFEFF" + String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_16LE));
        Path out = dir.resolve("transactions.ndjson");
        Path dead = dir.resolve("dead.ndjson");

        Map<String, Long> counters = StitchRun.run(StitchRun.Files.of(List.of(input), out, dead),
                StitchConfig.defaults(), 2);

        FinalView.of(out).assertMatches(Path.of(getClass().getResource("/samples/small.expected.ndjson").toURI()));
        assertThat(counters).containsEntry("recordsIn", (long) lines.size());
        ObjectMapper json = new ObjectMapper();
        List<String> deadRaw = new ArrayList<>();
        for (String line : Files.readAllLines(dead, StandardCharsets.UTF_8)) {
            JsonNode letter = json.readTree(line);
            assertThat(letter.fieldNames()).toIterable().containsExactly("reason", "detail", "raw");
            deadRaw.add(letter.get("raw").asText());
        }
        List<String> wantRaw = new ArrayList<>(lines.stream().filter(SamplesStitchTest::malformed)
                .map(l -> l.length() > DeadLetter.MAX_RAW_CHARS ? l.substring(0, DeadLetter.MAX_RAW_CHARS) : l).toList());
        Collections.sort(deadRaw);
        Collections.sort(wantRaw);
        assertThat(deadRaw).isEqualTo(wantRaw).contains("x".repeat(DeadLetter.MAX_RAW_CHARS));
        assertThat(counters).containsEntry("deadLetters", (long) wantRaw.size());
    }

    private Path write(byte[] content) throws IOException {
        return Files.write(Files.createTempFile(dir, "input", ".ndjson"), content);
    }

    private static List<FileLine> read(Path file) throws IOException {
        try (StreamFormat.Reader<FileLine> reader = new NdjsonFileFormat(io.tracestitch.config.RecordFormat.NDJSON).createReader(new Configuration(),
                FileSystem.getLocalFileSystem().open(new org.apache.flink.core.fs.Path(file.toUri())))) {
            List<FileLine> lines = new ArrayList<>();
            for (FileLine line = reader.read(); line != null; line = reader.read()) {
                lines.add(line);
            }
            return lines;
        }
    }

    /** The lines as text; each must have been readable. */
    private static List<String> texts(List<FileLine> lines) {
        return lines.stream().map(line -> {
            assertThat(line.unreadable()).isNull();
            return new String(line.utf8(), StandardCharsets.UTF_8);
        }).toList();
    }

    /** "ok" for a line handed on, else its dead letter's reason. */
    private static List<String> outcomes(List<FileLine> lines) {
        return lines.stream().map(line -> line.unreadable() == null ? "ok" : line.unreadable().reason()).toList();
    }

    private static String unescape(String text) {
        return text.replace("\\n", "\n").replace("\\r", "\r").replace("\\uFEFF", "\uFEFF");
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] utf16le(String before, char unit, String after) {
        return concat(before.getBytes(StandardCharsets.UTF_16LE), new byte[] {(byte) unit, (byte) (unit >> 8)},
                after.getBytes(StandardCharsets.UTF_16LE));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
