package io.tracestitch.operators.output.otlp;

/**
 * Mutable Flink POJO, the OTLP stage's state for one transaction id: the spans its latest revision
 * rendered, as span ids (sorted) with a fingerprint of each one's OTLP form, and the superseded
 * transactions whose traces were already told where they went (sorted). Both are as large as the
 * latest revision: at most {@code max-spans} + 1 spans, and the ids in its cumulative {@code supersedes}.
 */
public class EmittedSpans {
    public long[] spanIds = {};
    public long[] fingerprints = {};
    public String[] superseded = {};
}
