package io.tracestitch.jobs;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.OtlpParser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.local.LocalDataInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OtlpProtoFileFormatTest {

    @TempDir
    Path dir;

    private List<FileLine> read(byte[] file) throws IOException {
        Path path = Files.write(dir.resolve("spans.binpb"), file);
        List<FileLine> records = new ArrayList<>();
        try (FSDataInputStream in = new LocalDataInputStream(path.toFile());
                StreamFormat.Reader<FileLine> reader = new OtlpProtoFileFormat().createReader(new Configuration(), in)) {
            for (FileLine record = reader.read(); record != null; record = reader.read()) {
                records.add(record);
            }
        }
        return records;
    }

    private static byte[] framed(byte[]... messages) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (byte[] message : messages) {
                out.writeInt(message.length);
                out.write(message);
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void eachLengthPrefixedMessageIsOneRecordAnEmptyOneToo() throws IOException {
        List<FileLine> records = read(framed(new byte[] {0x0A, 0x00}, new byte[0], new byte[] {0x0A, 0x02, 0x0A, 0x00}));
        assertThat(records).extracting(r -> r.utf8().length).containsExactly(2, 0, 4);
        assertThat(read(new byte[0])).isEmpty();
    }

    @Test
    void aFileEndingInsideAPrefixOrAMessageEndsWithTruncated() throws IOException {
        List<FileLine> inPrefix = read(concat(framed(new byte[] {0x0A, 0x00}), new byte[] {0, 0}));
        assertThat(inPrefix).hasSize(2);
        DeadLetter prefix = inPrefix.get(1).unreadable();
        assertThat(prefix.reason()).isEqualTo(OtlpParser.TRUNCATED);
        assertThat(prefix.detail()).startsWith("the file ends inside a length prefix (2 of 4 bytes)");

        byte[] cut = framed(new byte[] {0x0A, 0x02, 0x0A, 0x00});
        DeadLetter message = read(java.util.Arrays.copyOf(cut, cut.length - 1)).get(0).unreadable();
        assertThat(message.reason()).isEqualTo(OtlpParser.TRUNCATED);
        assertThat(message.detail()).startsWith("a length prefix of 4 bytes, but only 3 follow");
    }

    /** A 2 GB length prefix in a small file (garbage, or not protobuf at all) allocates nothing of that size. */
    @Test
    void aHugeLengthPrefixIsCappedNotAllocated() throws IOException {
        byte[] garbage = concat(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, new byte[5000]);
        List<FileLine> records = read(garbage);
        assertThat(records).hasSize(1);
        DeadLetter dead = records.get(0).unreadable();
        assertThat(dead.reason()).isEqualTo(OtlpParser.TRUNCATED);
        assertThat(dead.detail()).startsWith("a length prefix of 2147483647 bytes (over the limit of 8388608), but only 5000 follow");
        assertThat(dead.raw()).hasSize(DeadLetter.MAX_RAW_CHARS);
    }

    @Test
    void aMessageOverTheLimitIsSkippedAndReadingGoesOn() throws IOException {
        byte[] big = new byte[OtlpParser.MAX_REQUEST_BYTES + 1];
        List<FileLine> records = read(framed(big, new byte[] {0x0A, 0x00}));
        assertThat(records).hasSize(2);
        assertThat(records.get(0).unreadable().reason()).isEqualTo(OtlpParser.TOO_LARGE);
        assertThat(records.get(1).utf8()).containsExactly(0x0A, 0x00);
    }

    @Test
    void jsonLinesAndProtobufAreToldApartByTheFirstByte() throws IOException {
        assertThat(StitchRun.otlpFormatOf(Files.writeString(dir.resolve("a.jsonl"), "\uFEFF \n{\"resourceSpans\":[]}")).text())
                .isEqualTo("otlp_json");
        assertThat(StitchRun.otlpFormatOf(Files.write(dir.resolve("b.binpb"), framed(new byte[] {0x0A, 0x00}))).text())
                .isEqualTo("otlp_proto");
        assertThat(StitchRun.otlpFormatOf(Files.write(dir.resolve("c"), new byte[0])).text()).isEqualTo("otlp_json");
    }
}
