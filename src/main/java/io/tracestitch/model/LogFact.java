package io.tracestitch.model;

/** A Lambda platform log line of one function, attributed to {@code (tenant, line.requestId())}. */
public record LogFact(String tenant, String function, long timestampMs, PlatformLine line) {}
