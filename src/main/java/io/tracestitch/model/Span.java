package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One span as read from the input, validated. Times are epoch milliseconds (fractions allowed);
 * {@code attributesJson} is the input's attributes object kept verbatim for the output.
 */
@TypeInfo(SpanSerializer.Factory.class)
public record Span(
        String tenant,
        String traceId,
        String spanId,
        String parentSpanId,
        String service,
        String name,
        String kind,
        double startMs,
        double endMs,
        boolean error,
        String requestId,
        MessageRef[] messages,
        SpanLink[] links,
        String attributesJson) {

    /** Event time of a span: when it ended. */
    public long eventTimeMs() {
        return (long) endMs;
    }
}
