package io.tracestitch.jobs;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.OtlpParser;
import io.tracestitch.operators.ingest.RecordParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * The format of line files for {@code FileSource}: one record per line, handed on as UTF-8 bytes
 * without the line end ({@code \n} or {@code \r\n}; the last line needs none). An empty line is
 * handed on empty (Parse counts it as ignored).
 * OTLP/JSON files (one request per line, as the OpenTelemetry Collector's file exporter writes
 * them) are read the same way, with {@link OtlpParser#MAX_REQUEST_BYTES} in place of the line limit.
 * <ul>
 *   <li>A byte-order mark at the start of a file names its encoding: UTF-8's is dropped, and a
 *       UTF-16 or UTF-32 file (either byte order) is decoded and each line handed on as UTF-8.
 *       Without one the file is UTF-8. A byte-order mark anywhere else is content.</li>
 *   <li>A line over {@link RecordParser#MAX_LINE_BYTES} bytes (counted as UTF-8) is never held
 *       whole: beyond the limit nothing more of it is kept, the rest is skipped up to the next line
 *       end, and it leaves as a {@code line-too-long} dead letter with its length and first
 *       characters. A file with no line end at all therefore costs a bounded buffer.</li>
 *   <li>A line of a UTF-16 or UTF-32 file that does not decode leaves as an
 *       {@code invalid-encoding} dead letter. UTF-8 is handed on as it is: Parse checks it.</li>
 * </ul>
 * Files are not split, so every reader starts at the beginning of its file, where the byte-order
 * mark is; after a restore Flink reads from there again and skips the lines already emitted.
 */
public final class NdjsonFileFormat extends SimpleStreamFormat<FileLine> {

    private static final int CHUNK = 1 << 16;

    /** True for OTLP/JSON lines, false for native NDJSON. */
    private final boolean otlp;

    /** @param format {@link RecordFormat#NDJSON} or {@link RecordFormat#OTLP_JSON} */
    public NdjsonFileFormat(RecordFormat format) {
        if (format == RecordFormat.OTLP_PROTO) {
            throw new IllegalArgumentException("protobuf is not lines: see OtlpProtoFileFormat");
        }
        this.otlp = format == RecordFormat.OTLP_JSON;
    }

    @Override
    public Reader<FileLine> createReader(Configuration config, FSDataInputStream stream) throws IOException {
        PushbackInputStream in = new PushbackInputStream(stream, ByteOrderMark.LONGEST);
        ByteOrderMark mark = ByteOrderMark.read(in);
        LineBuffer line = new LineBuffer(otlp);
        return mark == null || mark == ByteOrderMark.UTF_8 ? new Utf8Lines(in, line) : new DecodedLines(in, mark, line);
    }

    @Override
    public TypeInformation<FileLine> getProducedType() {
        return TypeInformation.of(FileLine.class);
    }

    /** The byte-order marks, longest first where one begins like another (UTF-32LE's starts as UTF-16LE's). */
    private enum ByteOrderMark {
        UTF_32BE("UTF-32BE", 4, 0x00, 0x00, 0xFE, 0xFF),
        UTF_32LE("UTF-32LE", 4, 0xFF, 0xFE, 0x00, 0x00),
        UTF_8("UTF-8", 1, 0xEF, 0xBB, 0xBF),
        UTF_16BE("UTF-16BE", 2, 0xFE, 0xFF),
        UTF_16LE("UTF-16LE", 2, 0xFF, 0xFE);

        static final int LONGEST = 4;

        final Charset encoding;
        /** Bytes per code unit: the decoder's rejections are skipped one unit at a time. */
        final int unitBytes;
        private final int[] bytes;

        ByteOrderMark(String encoding, int unitBytes, int... bytes) {
            this.encoding = Charset.forName(encoding);
            this.unitBytes = unitBytes;
            this.bytes = bytes;
        }

        /** Consumes the mark the stream starts with, if any, and returns it; null when there is none. */
        static ByteOrderMark read(PushbackInputStream in) throws IOException {
            byte[] head = in.readNBytes(LONGEST);
            for (ByteOrderMark mark : values()) {
                if (mark.begins(head)) {
                    in.unread(head, mark.bytes.length, head.length - mark.bytes.length);
                    return mark;
                }
            }
            in.unread(head);
            return null;
        }

        private boolean begins(byte[] head) {
            if (head.length < bytes.length) {
                return false;
            }
            for (int i = 0; i < bytes.length; i++) {
                if ((head[i] & 0xFF) != bytes[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Splits a stream into lines; subclasses say where the next bytes come from. */
    private abstract static class Lines implements Reader<FileLine> {
        final InputStream in;
        final LineBuffer line;

        Lines(InputStream in, LineBuffer line) {
            this.in = in;
            this.line = line;
        }

        /** Adds what is buffered up to the next line end to {@link #line}; true if it reached one. */
        abstract boolean addUpToLineEnd();

        /** Buffers more of the stream; false at its end. */
        abstract boolean fill() throws IOException;

        @Override
        public FileLine read() throws IOException {
            while (true) {
                if (addUpToLineEnd()) {
                    return line.finish();
                }
                if (!fill()) {
                    return line.isEmpty() ? null : line.finish();
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** A UTF-8 file: lines are cut from the bytes as they are. */
    private static final class Utf8Lines extends Lines {
        private final byte[] chunk = new byte[CHUNK];
        private int position;
        private int limit;

        Utf8Lines(InputStream in, LineBuffer line) {
            super(in, line);
        }

        @Override
        boolean addUpToLineEnd() {
            int end = position;
            while (end < limit && chunk[end] != '\n') {
                end++;
            }
            line.add(chunk, position, end - position);
            position = Math.min(end + 1, limit);
            return end < limit;
        }

        @Override
        boolean fill() throws IOException {
            int read = in.read(chunk);
            if (read < 0) {
                return false;
            }
            position = 0;
            limit = read;
            return true;
        }
    }

    /** A UTF-16 or UTF-32 file: decoded to chars, and each piece of a line encoded as UTF-8. */
    private static final class DecodedLines extends Lines {
        private final CharsetDecoder decoder;
        private final int unitBytes;
        private final String undecodable;
        private final ByteBuffer encoded = ByteBuffer.allocate(CHUNK).flip();
        private final CharBuffer chars = CharBuffer.allocate(CHUNK).flip();
        /** Bytes the decoder rejected, waiting until the chars before them have gone to their lines. */
        private int rejectedBytes;
        private boolean endOfInput;
        private boolean flushed;

        DecodedLines(InputStream in, ByteOrderMark mark, LineBuffer line) {
            super(in, line);
            decoder = mark.encoding.newDecoder(); // reports malformed input rather than replacing it silently
            unitBytes = mark.unitBytes;
            undecodable = "not valid " + mark.encoding.name() + ", the encoding the file's byte-order mark names";
        }

        @Override
        boolean addUpToLineEnd() {
            int start = chars.position();
            int end = start;
            while (end < chars.limit() && chars.get(end) != '\n') {
                end++;
            }
            // The decoder never parts a surrogate pair, and '\n' is not one: every piece is whole text.
            byte[] utf8 = new String(chars.array(), start, end - start).getBytes(StandardCharsets.UTF_8);
            line.add(utf8, 0, utf8.length);
            chars.position(Math.min(end + 1, chars.limit()));
            return end < chars.limit();
        }

        @Override
        boolean fill() throws IOException {
            chars.clear();
            while (chars.position() == 0) {
                if (rejectedBytes > 0) {
                    // Everything decoded before them is in its line by now: they belong to the line at hand.
                    line.undecodable(undecodable);
                    encoded.position(encoded.position() + rejectedBytes);
                    rejectedBytes = 0;
                    chars.put('\uFFFD');
                } else if (flushed) {
                    break;
                } else {
                    CoderResult result = decoder.decode(encoded, chars, endOfInput);
                    if (result.isError()) {
                        // A lone high surrogate is rejected with the unit after it, which may be the line end.
                        rejectedBytes = Math.min(result.length(), unitBytes);
                    } else if (result.isUnderflow() && endOfInput) {
                        decoder.flush(chars);
                        flushed = true;
                    } else if (result.isUnderflow()) {
                        readMore();
                    }
                }
            }
            chars.flip();
            return chars.hasRemaining();
        }

        private void readMore() throws IOException {
            encoded.compact();
            int read = in.read(encoded.array(), encoded.position(), encoded.remaining());
            if (read < 0) {
                endOfInput = true;
            } else {
                encoded.position(encoded.position() + read);
            }
            encoded.flip();
        }
    }

    /**
     * One line's UTF-8 bytes as they arrive. It keeps at most one byte over the limit (the line may
     * still end in the {@code \r} of {@code \r\n}); of a longer line it only counts the rest.
     */
    private static final class LineBuffer {
        private final boolean otlp;
        private final int maxLineBytes;
        private final int maxKept;

        private byte[] bytes = new byte[1024];
        private int kept;
        private long length;
        private byte last;
        private String undecodable;

        LineBuffer(boolean otlp) {
            this.otlp = otlp;
            this.maxLineBytes = otlp ? OtlpParser.MAX_REQUEST_BYTES : RecordParser.MAX_LINE_BYTES;
            this.maxKept = maxLineBytes + 1;
        }

        boolean isEmpty() {
            return length == 0;
        }

        void add(byte[] source, int offset, int count) {
            if (count == 0) {
                return;
            }
            length += count;
            last = source[offset + count - 1];
            int keep = Math.min(count, maxKept - kept);
            if (keep > 0) {
                if (kept + keep > bytes.length) {
                    bytes = Arrays.copyOf(bytes, Math.min(Math.max(kept + keep, 2 * bytes.length), maxKept));
                }
                System.arraycopy(source, offset, bytes, kept, keep);
                kept += keep;
            }
        }

        void undecodable(String why) {
            undecodable = why;
        }

        /** The line, and a fresh start for the next. */
        FileLine finish() {
            long content = last == '\r' ? length - 1 : length;
            FileLine line;
            if (content > maxLineBytes) {
                line = FileLine.unreadable(otlp ? OtlpParser.tooLarge(content, bytes, kept, true)
                        : RecordParser.lineTooLong(content, bytes, kept));
            } else if (undecodable != null) {
                line = FileLine.unreadable(DeadLetter.of(RecordParser.INVALID_ENCODING, undecodable, bytes, (int) content));
            } else {
                line = FileLine.of(Arrays.copyOf(bytes, (int) content));
            }
            kept = 0;
            length = 0;
            last = 0;
            undecodable = null;
            return line;
        }
    }
}
