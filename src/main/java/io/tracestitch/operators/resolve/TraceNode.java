package io.tracestitch.operators.resolve;

import io.tracestitch.model.JoinKey;
import io.tracestitch.operators.IdArrays;

/**
 * The resolver's view of one trace: what it received (and from whom), what it links to, who
 * consumes from it, and which transaction it is in. Mutable Flink POJO kept in MapState; callers
 * put it back after changing it. Id sets ({@code producers}, {@code consumers}) are {@link IdArrays}:
 * one small array for the usual few ids, constant-time lookups however many a hot key brings.
 */
public class TraceNode {
    // Shared empties: arrays here are replaced when they grow, never written in place.
    private static final Receive[] NO_RECEIVES = {};
    private static final String[] NONE = {};
    private static final JoinKey[] NO_KEYS = {};

    public String traceId;
    /** Null until the trace is first resolved. */
    public String transactionId;
    /** A span of this trace was seen (a link target may be known before that). */
    public boolean seen;
    public long lastEventMs = Long.MIN_VALUE;
    public Receive[] receives = NO_RECEIVES;
    public String[] links = NONE;
    /** Traces that received from or link to this one: whom to re-check when it moves. */
    public String[] consumers = IdArrays.EMPTY;
    public int consumerCount;
    /** Join keys of this trace whose pairing reached {@code max-sides-per-key}. */
    public JoinKey[] cappedKeys = NO_KEYS;
    /** How many transaction ids were anchored at this trace: fresh ids never repeat. */
    public int idGeneration;

    public TraceNode() {}

    public TraceNode(String traceId) {
        this.traceId = traceId;
    }

    void addConsumer(String consumer) {
        if (!IdArrays.contains(consumers, consumerCount, consumer)) {
            consumers = IdArrays.add(consumers, consumerCount++, consumer);
        }
    }

    /** One received join key and the traces that published it (none: unmatched so far). */
    public static class Receive {
        public JoinKey key;
        public String[] producers = IdArrays.EMPTY;
        public int producerCount;

        public Receive() {}

        public Receive(JoinKey key) {
            this.key = key;
        }

        /** Adds a publisher; false if it was known. */
        boolean addProducer(String producer) {
            if (IdArrays.contains(producers, producerCount, producer)) {
                return false;
            }
            producers = IdArrays.add(producers, producerCount++, producer);
            return true;
        }
    }
}
