package io.tracestitch.model;

/** Spans of {@code traceId} carry {@code requestId}: the invocation's logs belong to that trace. */
public record RequestFact(String tenant, String requestId, String traceId, String service) {}
