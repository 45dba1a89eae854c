package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;

import java.util.Arrays;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses the data of a Kinesis record that a CloudWatch Logs subscription filter wrote: a gzip
 * stream (RFC 1952) holding one JSON document, the subscription message. The Base64 seen in the
 * Kinesis API and in Lambda events is only their wire encoding: the record's data is the gzip stream
 * itself. A stream of several gzip members is read as their concatenation, as {@code gunzip} does.
 *
 * <p>Inflation stops at {@link #MAX_DECOMPRESSED_BYTES}: a record of at most 1 MiB could otherwise
 * expand to about a gigabyte (a "gzip bomb"). The output buffer never grows beyond the limit, so a
 * bomb costs that much memory (and its doublings on the way) and the time to inflate it, no more. Anything it cannot
 * decompress becomes a dead letter whose {@code raw} is the Base64 of the record's first bytes, since
 * they are binary.
 */
public final class CloudWatchLogsDecoder {

    /**
     * The most a record may decompress to: 8 MiB. A subscription message carries one batch of log
     * events, and CloudWatch Logs takes at most 1,048,576 bytes of events per batch (their UTF-8 plus
     * 26 bytes each, at most 10,000 events). In JSON an event's text grows at most sixfold (a control
     * character becomes a six-character escape), and each event adds its id, timestamp and field names,
     * under 100 bytes: the worst case is under 7 MiB, a typical message a little over its events'
     * size. Beyond 8 MiB the record is not a subscription message but a decompression bomb.
     */
    public static final int MAX_DECOMPRESSED_BYTES = 8 << 20;

    public static final String NOT_GZIP = "not-gzip";
    public static final String TRUNCATED_GZIP = "truncated-gzip";
    public static final String CORRUPT_GZIP = "corrupt-gzip";
    public static final String DECOMPRESSED_TOO_LARGE = "decompressed-too-large";

    /** Every dead-letter reason the decoder gives; the README's dead-letter table lists them. */
    public static final Set<String> REASONS = Collections.unmodifiableSet(
            new TreeSet<>(Set.of(NOT_GZIP, TRUNCATED_GZIP, CORRUPT_GZIP, DECOMPRESSED_TOO_LARGE)));

    private static final int ID1 = 0x1f;
    private static final int ID2 = 0x8b;
    private static final int DEFLATE = 8;
    private static final int FHCRC = 0x02;
    private static final int FEXTRA = 0x04;
    private static final int FNAME = 0x08;
    private static final int FCOMMENT = 0x10;
    private static final int RESERVED_FLAGS = 0xE0;
    private static final int FIXED_HEADER_BYTES = 10;
    private static final int TRAILER_BYTES = 8;
    private static final int FIRST_BUFFER_BYTES = 64 << 10;

    /** What a record decoded to: the decompressed document, or why it could not be. */
    public sealed interface Result {}

    /** The decompressed bytes, exactly as many as there are. */
    public record Decoded(byte[] json) implements Result {}

    public record Refused(DeadLetter deadLetter) implements Result {}

    private CloudWatchLogsDecoder() {}

    public static Result decode(byte[] record) {
        return decode(record, MAX_DECOMPRESSED_BYTES);
    }

    /** With another limit, for tests. */
    static Result decode(byte[] record, int maxDecompressedBytes) {
        if (record.length == 0) {
            return refused(NOT_GZIP, "an empty record", record);
        }
        if (!startsWithMagic(record, 0)) {
            return refused(NOT_GZIP, notGzip(record), record);
        }
        Inflater inflater = new Inflater(true);
        try {
            // Log text compresses about tenfold: start near the likely size, within the limit.
            byte[] out = new byte[(int) Math.min(maxDecompressedBytes, Math.max(FIRST_BUFFER_BYTES, 8L * record.length))];
            int length = 0;
            int position = 0;
            int member = 1;
            while (true) {
                Member read = member(record, position, member, inflater, out, length, maxDecompressedBytes);
                if (read.refusal != null) {
                    return refused(read.refusal, read.detail, record);
                }
                out = read.out;
                length = read.length;
                position = read.end;
                if (position == record.length) {
                    return new Decoded(length == out.length ? out : Arrays.copyOf(out, length));
                }
                if (!startsWithMagic(record, position)) {
                    return refused(CORRUPT_GZIP, (record.length - position) + " bytes after gzip member " + member
                            + " are not another gzip member", record);
                }
                member++;
                inflater.reset();
            }
        } finally {
            inflater.end();
        }
    }

    /** Where a member ended and what the output holds after it, or why it could not be read. */
    private record Member(byte[] out, int length, int end, String refusal, String detail) {
        static Member refused(String reason, String detail) {
            return new Member(null, 0, 0, reason, detail);
        }
    }

    /** Reads the gzip member at {@code start}, whose magic bytes are there: its output is appended to {@code out}. */
    private static Member member(byte[] record, int start, int number, Inflater inflater, byte[] out, int length,
            int maxDecompressedBytes) {
        String which = "gzip member " + number;
        if (record.length - start < FIXED_HEADER_BYTES) {
            return Member.refused(TRUNCATED_GZIP, "the record ends inside the header of " + which);
        }
        int method = record[start + 2] & 0xFF;
        int flags = record[start + 3] & 0xFF;
        if (method != DEFLATE) {
            return Member.refused(CORRUPT_GZIP, which + " names compression method " + method + ", not deflate (8)");
        }
        if ((flags & RESERVED_FLAGS) != 0) {
            return Member.refused(CORRUPT_GZIP, which + " sets reserved header flags");
        }
        int position = start + FIXED_HEADER_BYTES;
        if ((flags & FEXTRA) != 0) {
            if (record.length - position < 2) {
                return Member.refused(TRUNCATED_GZIP, "the record ends inside the header of " + which);
            }
            position += 2 + ((record[position] & 0xFF) | (record[position + 1] & 0xFF) << 8);
        }
        for (int field : new int[] {FNAME, FCOMMENT}) {
            if ((flags & field) != 0) {
                while (position < record.length && record[position] != 0) {
                    position++;
                }
                position++; // the terminating zero
            }
        }
        if ((flags & FHCRC) != 0) {
            position += 2;
        }
        if (position > record.length) {
            return Member.refused(TRUNCATED_GZIP, "the record ends inside the header of " + which);
        }
        if ((flags & FHCRC) != 0) {
            CRC32 header = new CRC32();
            header.update(record, start, position - 2 - start);
            int expected = (record[position - 2] & 0xFF) | (record[position - 1] & 0xFF) << 8;
            if ((int) (header.getValue() & 0xFFFF) != expected) {
                return Member.refused(CORRUPT_GZIP, "the header checksum of " + which + " does not match");
            }
        }

        inflater.setInput(record, position, record.length - position);
        int memberStart = length;
        byte[] probe = new byte[1];
        try {
            while (!inflater.finished()) {
                int inflated;
                if (length < out.length) {
                    inflated = inflater.inflate(out, length, out.length - length);
                    length += inflated;
                } else if (out.length < maxDecompressedBytes) {
                    out = Arrays.copyOf(out, (int) Math.min(maxDecompressedBytes, 2L * out.length));
                    continue;
                } else {
                    // At the limit: one more byte is one too many; none, and the member may end here.
                    inflated = inflater.inflate(probe);
                    if (inflated > 0) {
                        return Member.refused(DECOMPRESSED_TOO_LARGE, "decompresses to more than " + maxDecompressedBytes
                                + " bytes (" + record.length + " bytes compressed)");
                    }
                }
                if (inflated == 0 && !inflater.finished()) {
                    if (inflater.needsInput()) {
                        return Member.refused(TRUNCATED_GZIP, "the record ends inside the compressed data of " + which
                                + ", after " + length + " decompressed bytes");
                    }
                    return Member.refused(CORRUPT_GZIP, inflater.needsDictionary()
                            ? "the compressed data of " + which + " asks for a dictionary"
                            : "the compressed data of " + which + " makes no progress");
                }
            }
        } catch (DataFormatException e) {
            return Member.refused(CORRUPT_GZIP, "the compressed data of " + which + " is invalid: " + e.getMessage());
        }

        int trailer = record.length - inflater.getRemaining();
        if (record.length - trailer < TRAILER_BYTES) {
            return Member.refused(TRUNCATED_GZIP, "the record ends inside the trailer of " + which);
        }
        CRC32 crc = new CRC32();
        crc.update(out, memberStart, length - memberStart);
        if ((int) crc.getValue() != littleEndianInt(record, trailer)) {
            return Member.refused(CORRUPT_GZIP, "the checksum of " + which + " does not match its data");
        }
        if ((length - memberStart) != littleEndianInt(record, trailer + 4)) { // the size modulo 2^32
            return Member.refused(CORRUPT_GZIP, "the size in the trailer of " + which + " does not match its data");
        }
        return new Member(out, length, trailer + TRAILER_BYTES, null, null);
    }

    /** What the record starts with instead, and the likely mistake where there is one. */
    private static String notGzip(byte[] record) {
        StringBuilder detail = new StringBuilder("starts with");
        for (int i = 0; i < Math.min(2, record.length); i++) {
            detail.append(String.format(" %02x", record[i] & 0xFF));
        }
        detail.append(", not the gzip magic bytes 1f 8b");
        if (record[0] == '{') {
            detail.append(": plain JSON, which input.kinesis.format ndjson reads");
        } else if (record.length >= 4 && record[0] == 'H' && record[1] == '4' && record[2] == 's' && record[3] == 'I') {
            detail.append(": gzip in Base64 (H4sI), but the record's data must be the gzip bytes themselves");
        }
        return detail.toString();
    }

    private static boolean startsWithMagic(byte[] record, int position) {
        // A record cut right after its first byte still starts like gzip: the header check finds it truncated.
        return (record[position] & 0xFF) == ID1 && (position + 1 == record.length || (record[position + 1] & 0xFF) == ID2);
    }

    private static int littleEndianInt(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16 | (bytes[at + 3] & 0xFF) << 24;
    }

    /** A dead letter for bytes that are not text: {@code raw} is the Base64 of the record's first bytes. */
    private static Refused refused(String reason, String detail, byte[] record) {
        return new Refused(DeadLetter.ofBinary(reason, detail, record, record.length));
    }
}
