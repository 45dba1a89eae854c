package io.tracestitch.operators;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compresses rendered spans for the time they wait in state (a closed trace's, or a transaction line
 * waiting for its turn): deflate at its fastest level, primed with what every rendered span repeats. A trace's spans are only a few hundred bytes
 * each, too little for a compressor to learn the field names from, and their ids are hex that only
 * entropy coding shrinks: this keeps a quarter of the JSON (LZ4 kept half).
 *
 * <p>Data passes through direct buffers: on heap arrays, {@code java.util.zip} holds a JNI
 * critical region that blocks garbage collection while it runs. One coder per thread.
 */
public final class SpanCompression {

    private static final byte[] DICTIONARY = ("{\"type\":\"span\",\"tenant\":\"\",\"traceId\":\"\",\"spanId\":\"\","
            + "\"parentSpanId\":null,\"service\":\"\",\"name\":\" invoke\",\"kind\":\"consumer\",\"startMs\":1,"
            + "\"endMs\":1,\"status\":\"error\",\"requestId\":null,\"messages\":[{\"system\":\"kinesis\","
            + "\"operation\":\"publish\",\"destination\":\"\",\"id\":\"shardId-000000000000:\"},{\"system\":\"eventbridge\","
            + "\"operation\":\"receive\"}],\"links\":[{\"traceId\":\"\",\"spanId\":\"\"}],\"attributes\":{}}"
            + "{\"type\":\"span\",\"tenant\":\"\",\"traceId\":\"\",\"spanId\":\"\",\"parentSpanId\":\"\",\"service\":\"\","
            + "\"name\":\"\",\"kind\":\"server\",\"startMs\":17,\"endMs\":17,\"status\":\"ok\",\"requestId\":\"\","
            + "\"messages\":[{\"system\":\"sns\",\"operation\":\"publish\",\"destination\":\"\",\"id\":\"\"},"
            + "{\"system\":\"sqs\",\"operation\":\"receive\",\"destination\":\"\",\"id\":\"\"}],\"links\":[],"
            + "\"attributes\":{}}").getBytes(StandardCharsets.UTF_8);
    private static final ByteBuffer DIRECT_DICTIONARY =
            ByteBuffer.allocateDirect(DICTIONARY.length).put(DICTIONARY).flip();
    private static final ThreadLocal<SpanCompression> PER_THREAD = ThreadLocal.withInitial(SpanCompression::new);

    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
    private final Inflater inflater = new Inflater(true);
    /** Largest buffer kept between traces: a huge trace must not pin its size in direct memory for good. */
    private static final int KEPT_CAPACITY = 1 << 20;

    private ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
    private ByteBuffer out = ByteBuffer.allocateDirect(1 << 16);

    private SpanCompression() {}

    public static byte[] compress(byte[] json) {
        return compress(new byte[0], 0, json, json.length);
    }

    /** Compresses the first {@code headLength} bytes of {@code head} followed by the first {@code length} of {@code body}. */
    public static byte[] compress(byte[] head, int headLength, byte[] body, int length) {
        return PER_THREAD.get().deflate(head, headLength, body, length);
    }

    /** The whole block; {@code length} is its uncompressed length. */
    public static byte[] decompress(byte[] compressed, int length) {
        return decompress(compressed, 0, length);
    }

    /** The {@code length} bytes that follow the first {@code skip} of the uncompressed block (the rest is not inflated). */
    public static byte[] decompress(byte[] compressed, int skip, int length) {
        return PER_THREAD.get().inflate(compressed, skip, length);
    }

    private byte[] deflate(byte[] head, int headLength, byte[] body, int bodyLength) {
        int length = headLength + bodyLength;
        in = atLeast(in, length).clear();
        in.put(head, 0, headLength).put(body, 0, bodyLength).flip();
        out = atLeast(out, length + length / 8 + 64).clear();
        deflater.reset();
        deflater.setDictionary(DIRECT_DICTIONARY.duplicate());
        deflater.setInput(in);
        deflater.finish();
        while (!deflater.finished()) {
            if (!out.hasRemaining()) {
                out = grown(out);
            }
            deflater.deflate(out);
        }
        return drain(0);
    }

    private byte[] inflate(byte[] compressed, int skip, int length) {
        in = atLeast(in, compressed.length).clear();
        in.put(compressed).flip();
        out = atLeast(out, skip + length).clear().limit(skip + length);
        inflater.reset();
        inflater.setDictionary(DIRECT_DICTIONARY.duplicate());
        inflater.setInput(in);
        try {
            while (out.hasRemaining()) {
                if (inflater.inflate(out) == 0 && (inflater.finished() || inflater.needsInput())) {
                    throw new IllegalStateException("compressed spans end after " + out.position() + " of "
                            + (skip + length) + " bytes");
                }
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("compressed spans do not decompress", e);
        }
        return drain(skip);
    }

    /** What the coder wrote after its first {@code skip} bytes; lets go of buffers a huge trace grew. */
    private byte[] drain(int skip) {
        out.flip().position(skip);
        byte[] result = new byte[out.remaining()];
        out.get(result);
        if (in.capacity() > KEPT_CAPACITY) {
            in = ByteBuffer.allocateDirect(1 << 16);
        }
        if (out.capacity() > KEPT_CAPACITY) {
            out = ByteBuffer.allocateDirect(1 << 16);
        }
        return result;
    }

    private static ByteBuffer atLeast(ByteBuffer buffer, int capacity) {
        return buffer.capacity() >= capacity ? buffer : ByteBuffer.allocateDirect(Integer.highestOneBit(capacity) << 1);
    }

    private static ByteBuffer grown(ByteBuffer full) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(full.capacity() * 2);
        return bigger.put(full.flip());
    }
}
