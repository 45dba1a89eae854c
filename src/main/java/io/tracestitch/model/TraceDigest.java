package io.tracestitch.model;

import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One trace's content as the output needs it, computed once when the trace closes: its spans
 * already rendered as JSON (UTF-8, one object per span, sorted by start, compressed as
 * {@code compressedSpans}; {@code spanEnds[i]} is where span {@code i} ends uncompressed), the
 * aggregates, and the pieces of the transaction graph it contributes. This, not span objects, is
 * what is stored and shipped after a trace closes.
 *
 * <p>{@code spansRefused} counts span deliveries the trace refused at the {@code max-spans} cap over
 * its life, so a capped trace says so in every transaction it joins.
 *
 * <p>{@code edgeCounts[i]} is how many spans or message references make {@code edges[i]}: edges are
 * shared between digests (see {@link Canonical}), their counts are not.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TraceDigest(
        String traceId,
        int spanCount,
        int spansRefused,
        double startMs,
        double endMs,
        int errorSpans,
        String[] services,
        Resource[] resources,
        Edge[] edges,
        int[] edgeCounts,
        HopEnd[] publishes,
        HopEnd[] receives,
        byte[] compressedSpans,
        int[] spanEnds) {

    /** Digests wait in state: services, resources and edges repeat across traces and are shared. */
    public TraceDigest {
        canonical(services);
        canonical(resources);
        canonical(edges);
    }

    private static <T> void canonical(T[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = Canonical.of(values[i]);
        }
    }

    /** A digest with this many refused spans instead (the count is cumulative, kept by the trace stage). */
    public TraceDigest withSpansRefused(int refused) {
        return new TraceDigest(traceId, spanCount, refused, startMs, endMs, errorSpans, services, resources, edges,
                edgeCounts, publishes, receives, compressedSpans, spanEnds);
    }

    /** The graph's node id of a function (a span's service). */
    public static String functionNodeId(String service) {
        return "function:" + service;
    }

    /** A messaging resource (topic, queue, stream, bus) as the graph names it. */
    public record Resource(String system, String name) {
        public String nodeId() {
            return system + ":" + name;
        }
    }

    public enum EdgeType {
        /** From the parent span's service to a child span of another service in the same trace. */
        CALL,
        /** From a function to the resource it published to. */
        PUBLISH,
        /** From a resource to the function that received from it. */
        CONSUME;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A counted graph edge between two node ids ({@code function:<service>} or a resource's node id). */
    public record Edge(EdgeType type, String from, String to) {}

    /**
     * One side of an async hop inside this trace: span {@code span} (index into the spans) of
     * service {@code service} (index into {@code services}) published or received {@code key}
     * through {@code resource} (index into {@code resources}) at {@code timeMs} (publish: span end;
     * receive: span start).
     */
    public record HopEnd(JoinKey key, int span, int service, int resource, double timeMs) {}
}
