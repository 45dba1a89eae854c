package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One trace's content as the output needs it, computed once when the trace closes and what is
 * stored and shipped from then on: the aggregates as fields, and in one compressed block first the
 * trace's {@link TraceGraph} (serialized, {@code graphLength} bytes) and then its spans rendered as
 * JSON (UTF-8, one object per span, sorted by start; {@code spanEnds[i]} is where span {@code i}
 * ends, counted from the first span).
 *
 * <p>{@code spansRefused} counts span deliveries the trace refused at the {@code max-spans} cap over
 * its life, so a capped trace says so in every transaction it joins.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TraceDigest(
        String traceId,
        int spanCount,
        int spansRefused,
        double startMs,
        double endMs,
        int errorSpans,
        byte[] compressed,
        int graphLength,
        int[] spanEnds) {

    /** The length of the rendered spans, uncompressed. */
    public int spansLength() {
        return spanEnds.length == 0 ? 0 : spanEnds[spanEnds.length - 1];
    }

    /** A digest with this many refused spans instead (the count is cumulative, kept by the trace stage). */
    public TraceDigest withSpansRefused(int refused) {
        return new TraceDigest(traceId, spanCount, refused, startMs, endMs, errorSpans, compressed, graphLength,
                spanEnds);
    }
}
