package io.tracestitch.operators.trace;

/** Mutable Flink POJO: what the trace stage keeps of a trace between its spans, for its whole life. */
public class TraceMeta {
    /** Latest end of an accepted span. */
    public long lastEventMs = Long.MIN_VALUE;
    /** The pending close timer, or {@link Long#MIN_VALUE} while the trace is closed. */
    public long timerMs = Long.MIN_VALUE;
    /** Deliveries buffered since the trace was first seen, duplicates included. */
    public int deliveries;
    /** Deliveries refused at the cap since the trace was first seen. */
    public int spansRefused;
    public SpanIdSet spanIds = new SpanIdSet();
}
