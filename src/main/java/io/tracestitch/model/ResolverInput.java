package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** What the per-tenant resolver learns about one trace ({@link #traceId()}). */
@TypeInfo(CompactRecordSerializer.Factory.class)
public sealed interface ResolverInput {

    String tenant();

    String traceId();

    /** Spans of the trace closed: its links and the latest event time of its spans so far. */
    record TraceClosed(String tenant, String traceId, long lastEventMs, String[] links) implements ResolverInput {}

    /**
     * The trace received {@code key}, and these traces published it: all publishers known so far when
     * the receive is first reported (possibly none), one more each time a publisher shows up later.
     */
    record ProducersFound(String tenant, String traceId, JoinKey key, String[] producers) implements ResolverInput {}

    /**
     * The trace published or received {@code key}, whose pairing reached {@code max-sides-per-key}: the
     * pairing of that message may be incomplete, and the trace's transaction must say so.
     */
    record KeyCapped(String tenant, String traceId, JoinKey key) implements ResolverInput {}

    /** The trace's content changed (an invocation's logs) without changing the graph. */
    record ContentChanged(String tenant, String traceId) implements ResolverInput {}
}
