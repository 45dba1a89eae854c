package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** A Lambda platform log line of one function, attributed to {@code (tenant, line.requestId())}. */
@TypeInfo(LogFactSerializer.Factory.class)
public record LogFact(String tenant, String function, long timestampMs, PlatformLine line) {}
