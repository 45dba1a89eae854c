package io.tracestitch.model;

import java.util.Locale;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The pieces of a transaction's graph that one trace contributes: its services, the messaging
 * resources it used, its counted edges and both ends of the async hops its spans took part in. A
 * closed trace keeps them serialized and compressed inside its {@link TraceDigest} (as objects they
 * cost more than the compressed spans); they are decoded only when a revision is written.
 *
 * <p>{@code edgeCounts[i]} is how many spans or message references make {@code edges[i]}.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TraceGraph(
        String traceId,
        String[] services,
        Resource[] resources,
        Edge[] edges,
        int[] edgeCounts,
        HopEnd[] publishes,
        HopEnd[] receives) {

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
     * One side of an async hop inside this trace: span {@code span} (index into the trace's spans) of
     * service {@code service} (index into {@code services}) published or received {@code key}
     * through {@code resource} (index into {@code resources}) at {@code timeMs} (publish: span end;
     * receive: span start).
     */
    public record HopEnd(JoinKey key, int span, int service, int resource, double timeMs) {}
}
