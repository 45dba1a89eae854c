package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One trace's content as the output needs it, computed once when the trace closes: its spans
 * already rendered as JSON (UTF-8, one object per span, sorted by start, compressed by {@code SpanCompression} as
 * {@code compressedSpans}; {@code spanEnds[i]} is where span {@code i} ends uncompressed), the
 * aggregates, and the pieces of the transaction graph it contributes. This, not span objects, is
 * what is stored and shipped after a trace closes.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TraceDigest(
        String traceId,
        int spanCount,
        double startMs,
        double endMs,
        int errorSpans,
        String[] services,
        String[] resources,
        String[] edgeKeys,
        int[] edgeCounts,
        HopEnd[] publishes,
        HopEnd[] receives,
        byte[] compressedSpans,
        int[] spanEnds) {

    /** Digests wait in state: names of services, resources and edges repeat across traces. */
    public TraceDigest {
        canonical(services);
        canonical(resources);
        canonical(edgeKeys);
    }

    private static void canonical(String[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = Strings.canonical(values[i]);
        }
    }

    /**
     * One side of an async hop inside this trace: span {@code span} (index into the spans) of
     * service {@code service} (index into {@code services}) published or received {@code joinKey}
     * through {@code resource} (index into {@code resources}) at {@code timeMs} (publish: span end;
     * receive: span start).
     */
    public record HopEnd(String joinKey, int span, int service, int resource, double timeMs) {}
}
