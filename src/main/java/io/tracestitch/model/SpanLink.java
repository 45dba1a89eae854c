package io.tracestitch.model;

/** An OpenTelemetry span link: the span named here caused the linking span. */
public record SpanLink(String traceId, String spanId) {}
