package io.tracestitch.model;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * An input line the job could not use: why ({@code reason}, one of the README's dead-letter table),
 * what exactly when there is more to say ({@code detail}, else null) and the line itself, truncated
 * to {@link #MAX_RAW_CHARS}.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record DeadLetter(String reason, String detail, String raw) {

    public static final int MAX_RAW_CHARS = 2048;
    /** Enough UTF-8 for {@link #MAX_RAW_CHARS}: a code point takes at most 4 bytes and is 1 or 2 chars. */
    public static final int MAX_RAW_BYTES = 4 * MAX_RAW_CHARS;
    /** Binary bytes kept in a dead letter: their Base64 is exactly {@link #MAX_RAW_CHARS} characters. */
    public static final int MAX_RAW_BINARY_BYTES = MAX_RAW_CHARS / 4 * 3;

    public static DeadLetter of(String reason, String raw) {
        return of(reason, null, raw);
    }

    public static DeadLetter of(String reason, String detail, String raw) {
        return new DeadLetter(reason, detail, truncate(raw));
    }

    /**
     * A line given as the first {@code length} bytes of {@code utf8}. Only its head is decoded, and
     * bytes that are not UTF-8 show as U+FFFD.
     */
    public static DeadLetter of(String reason, String detail, byte[] utf8, int length) {
        return of(reason, detail, new String(utf8, 0, Math.min(length, MAX_RAW_BYTES), StandardCharsets.UTF_8));
    }

    /**
     * A binary record (gzip, protobuf) of {@code length} bytes, of which {@code head} holds at least
     * the first {@link #MAX_RAW_BINARY_BYTES}: {@code raw} is their Base64, and {@code detail} says so.
     */
    public static DeadLetter ofBinary(String reason, String detail, byte[] head, long length) {
        int kept = (int) Math.min(Math.min(length, head.length), MAX_RAW_BINARY_BYTES);
        String raw = Base64.getEncoder().encodeToString(Arrays.copyOf(head, kept));
        String whatRawIs = kept == length
                ? "raw is the record's " + length + " bytes in Base64"
                : "raw is the first " + kept + " of the record's " + length + " bytes in Base64";
        return of(reason, detail + "; " + whatRawIs, raw);
    }

    private static String truncate(String raw) {
        if (raw.length() <= MAX_RAW_CHARS) {
            return raw;
        }
        // Never cut a surrogate pair in half: the dead-letter line would carry a lone surrogate.
        int end = Character.isHighSurrogate(raw.charAt(MAX_RAW_CHARS - 1)) ? MAX_RAW_CHARS - 1 : MAX_RAW_CHARS;
        return raw.substring(0, end);
    }

    /** The dead-letter output line, {@code {"reason":…,"detail":…,"raw":…}}, {@code detail} null when there is none. */
    public byte[] toJson() {
        ByteArrayOutputStream line = new ByteArrayOutputStream(raw.length() + 64);
        try (JsonGenerator g = Json.FACTORY.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("reason", reason);
            g.writeStringField("detail", detail);
            g.writeStringField("raw", raw);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: it writes to memory
        }
        return line.toByteArray();
    }
}
