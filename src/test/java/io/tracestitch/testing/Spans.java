package io.tracestitch.testing;

import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.operators.trace.TraceDigests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Spans and trace digests of one tenant, {@link #TENANT}, for operator tests. */
public final class Spans {

    public static final String TENANT = "111111111111";
    private static final MessageRef[] NO_MESSAGES = {};
    private static final SpanLink[] NO_LINKS = {};
    /** Every test span lasts this long: its start is its end minus this. */
    private static final long DURATION_MS = 10;

    private Spans() {}

    /** A span of service {@code svc-<traceId>} ending at {@code endMs}, with nothing to pair or join. */
    public static Span span(String traceId, String spanId, long endMs) {
        return span(traceId, spanId, endMs, null, NO_MESSAGES, NO_LINKS);
    }

    public static Span span(String traceId, String spanId, long endMs, String requestId, MessageRef[] messages,
            SpanLink[] links) {
        return new Span(TENANT, traceId, spanId, null, service(traceId), "op", "internal", endMs - DURATION_MS, endMs,
                false, requestId, messages, links, "{}");
    }

    /** The service of every test span of {@code traceId}. */
    public static String service(String traceId) {
        return "svc-" + traceId;
    }

    public static MessageRef publish(String system, String destination, String messageId) {
        return MessageRef.of(TENANT, system, true, destination, messageId);
    }

    public static MessageRef receive(String system, String destination, String messageId) {
        return MessageRef.of(TENANT, system, false, destination, messageId);
    }

    /** The digest the trace stage makes of these (distinct) spans. */
    public static TraceDigest digest(String traceId, Span... spans) {
        return TraceDigests.of(traceId, spans);
    }

    /** A digest of one span {@code <traceId>-s} of the trace, ending at {@code endMs}. */
    public static TraceDigest digestOfOneSpan(String traceId, long endMs) {
        return digest(traceId, span(traceId, traceId + "-s", endMs));
    }

    /** The span ids a digest holds, in its order (by start, then id). */
    public static List<String> spanIds(TraceDigest digest) {
        List<String> ids = new ArrayList<>();
        Arrays.stream(TraceDigests.spans(digest)).forEach(s -> ids.add(s.spanId()));
        return ids;
    }
}
