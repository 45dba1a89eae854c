package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the per-tenant resolver learns about one trace. {@link Kind#TRACE}: spans of the trace closed
 * (its links and last event time); {@link Kind#HOP}: the producers of one received join key changed;
 * {@link Kind#TOUCH}: the trace's content changed (an invocation's logs) without changing the graph.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record ResolverInput(
        String tenant, Kind kind, String traceId, long lastEventMs, String[] links, String joinKey, String[] producers) {

    public enum Kind { TRACE, HOP, TOUCH }

    private static final String[] NONE = new String[0];

    public static ResolverInput trace(String tenant, String traceId, long lastEventMs, String[] links) {
        return new ResolverInput(tenant, Kind.TRACE, traceId, lastEventMs, links, "", NONE);
    }

    public static ResolverInput hop(String tenant, String consumerTraceId, String joinKey, String[] producers) {
        return new ResolverInput(tenant, Kind.HOP, consumerTraceId, Long.MIN_VALUE, NONE, joinKey, producers);
    }

    public static ResolverInput touch(String tenant, String traceId) {
        return new ResolverInput(tenant, Kind.TOUCH, traceId, Long.MIN_VALUE, NONE, "", NONE);
    }
}
