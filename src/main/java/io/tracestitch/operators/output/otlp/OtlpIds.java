package io.tracestitch.operators.output.otlp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * OTLP's binary ids for what the job calls by strings. A transaction's trace id and its
 * transaction span's id are derived from {@code (tenant, transactionId)} alone, so any stage, any
 * revision and any other transaction (a fan-in consumer linking to it, the merge that supersedes it)
 * computes the same ones without asking. Span ids are kept as they are when they already are 16 hex
 * digits (OpenTelemetry's and X-Ray's form); any other id is hashed with its trace id into 8 bytes.
 */
public final class OtlpIds {

    static final int TRACE_ID_BYTES = 16;
    static final int SPAN_ID_BYTES = 8;
    private static final HexFormat HEX = HexFormat.of();

    private OtlpIds() {}

    /** The one trace id every span of a transaction is written under. */
    public static byte[] transactionTraceId(String tenant, String transactionId) {
        return slice(sha256("transaction", tenant, transactionId), 0, TRACE_ID_BYTES);
    }

    /** The id of the transaction's own span, the root its traces hang from and the target of links to it. */
    public static long transactionSpanId(String tenant, String transactionId) {
        return nonZero(ByteBuffer.wrap(sha256("transaction", tenant, transactionId), TRACE_ID_BYTES, SPAN_ID_BYTES).getLong());
    }

    /** The id of the span that marks a superseded transaction's trace as merged into another. */
    public static long supersededSpanId(String tenant, String transactionId) {
        return nonZero(ByteBuffer.wrap(sha256("superseded", tenant, transactionId), 0, SPAN_ID_BYTES).getLong());
    }

    /** A span id as OTLP's 8 bytes, spelled as a number: 16 hex digits as they are, others hashed. */
    public static long spanId(String traceId, String spanId) {
        long hex = hexValue(spanId);
        if (hex != 0) {
            return hex;
        }
        return nonZero(ByteBuffer.wrap(sha256("span", traceId, spanId), 0, SPAN_ID_BYTES).getLong());
    }

    /** A trace id of someone else's (a link to outside the transaction): 32 hex digits as they are, others hashed. */
    public static byte[] traceId(String traceId) {
        if (traceId.length() == 2 * TRACE_ID_BYTES && isLowerHex(traceId)) {
            byte[] bytes = HEX.parseHex(traceId);
            if (ByteBuffer.wrap(bytes).getLong() != 0 || ByteBuffer.wrap(bytes, 8, 8).getLong() != 0) {
                return bytes;
            }
        }
        return slice(sha256("trace", traceId), 0, TRACE_ID_BYTES);
    }

    public static byte[] bytes(long spanId) {
        return ByteBuffer.allocate(SPAN_ID_BYTES).putLong(spanId).array();
    }

    public static String hex(byte[] id) {
        return HEX.formatHex(id);
    }

    /** The value of 16 lower-case hex digits, 0 for anything else (0 is also OTLP's invalid span id). */
    private static long hexValue(String id) {
        if (id.length() != 2 * SPAN_ID_BYTES || !isLowerHex(id)) {
            return 0;
        }
        return HexFormat.fromHexDigitsToLong(id);
    }

    private static boolean isLowerHex(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** The all-zero span id is invalid in OTLP; a hash that gives it (one in 2^64) takes 1 instead. */
    private static long nonZero(long id) {
        return id == 0 ? 1 : id;
    }

    private static byte[] sha256(String... parts) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        byte[] out = new byte[length];
        System.arraycopy(bytes, from, out, 0, length);
        return out;
    }
}
