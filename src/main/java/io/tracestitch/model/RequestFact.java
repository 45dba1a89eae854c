package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** Spans of {@code traceId} carry {@code requestId}: the invocation's logs belong to that trace. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record RequestFact(String tenant, String requestId, String traceId, String service) {}
