package io.tracestitch.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpanCompressionTest {

    private static final String SPAN = "{\"type\":\"span\",\"tenant\":\"111111111111\",\"traceId\":"
            + "\"5f3c0a1b2c3d4e5f60718293a4b5c6d7\",\"spanId\":\"%016x\",\"parentSpanId\":null,\"service\":"
            + "\"payments\",\"name\":\"payments invoke\",\"kind\":\"consumer\",\"startMs\":1732400000653.6,"
            + "\"endMs\":1732400000744.9,\"status\":\"ok\",\"requestId\":\"f8ecae24-0d3c-4b7e-9a51-%012x\","
            + "\"messages\":[],\"links\":[],\"attributes\":{\"note\":\"caf\u00e9 \u2603\"}}";

    private static byte[] spans(int count) {
        StringBuilder json = new StringBuilder();
        for (int i = 0; i < count; i++) {
            json.append(String.format(SPAN, 0x9e3779b97f4a7c15L * (i + 1), i));
        }
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void renderedSpansRoundTripAndShrink() {
        for (int count : new int[] {1, 4, 300, 10_000}) {
            byte[] json = spans(count);
            byte[] compressed = SpanCompression.compress(json);
            assertThat(SpanCompression.decompress(compressed, json.length)).isEqualTo(json);
            assertThat(compressed.length).as("%d spans", count).isLessThan(json.length / 2);
        }
    }

    @Test
    void emptyAndIncompressibleInputRoundTrip() {
        assertThat(SpanCompression.decompress(SpanCompression.compress(new byte[0]), 0)).isEmpty();
        byte[] noise = new byte[200_000];
        new Random(7).nextBytes(noise);
        byte[] compressed = SpanCompression.compress(noise);
        assertThat(SpanCompression.decompress(compressed, noise.length)).isEqualTo(noise);
        // A small input after a large one still decodes (buffers are reused per thread).
        byte[] small = spans(2);
        assertThat(SpanCompression.decompress(SpanCompression.compress(small), small.length)).isEqualTo(small);
    }

    @Test
    void aWrongLengthIsAnError() {
        byte[] json = spans(3);
        byte[] compressed = SpanCompression.compress(json);
        assertThatThrownBy(() -> SpanCompression.decompress(compressed, json.length + 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> SpanCompression.decompress(Arrays.copyOf(compressed, compressed.length / 2),
                json.length)).isInstanceOf(IllegalStateException.class);
    }
}
