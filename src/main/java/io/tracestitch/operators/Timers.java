package io.tracestitch.operators;

import java.time.Duration;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

/** Small shared rules for event-time timers and state time-to-live. */
public final class Timers {

    private Timers() {}

    /**
     * The earliest timer that fires at the next watermark advance. Output emitted when it fires is
     * stamped later than every watermark already forwarded, so it is never late downstream.
     */
    public static long afterWatermark(long watermark, long wanted) {
        long next = watermark == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(watermark, Long.MIN_VALUE + 1) + 1;
        return Math.max(wanted, next);
    }

    /** {@code a + b}, saturated at the ends of {@code long}: timestamps near them must not wrap. */
    public static long plus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /**
     * Endless streams: the state is dropped once nothing wrote it for {@code ttl} (processing time);
     * bounded runs ({@code ttl} null) keep it.
     */
    public static void expireAfter(StateDescriptor<?, ?> descriptor, Duration ttl) {
        expire(descriptor, ttl, StateTtlConfig.UpdateType.OnCreateAndWrite);
    }

    /** As {@link #expireAfter}, but reading the state also keeps it: for state kept while it is used. */
    public static void expireAfterAccess(StateDescriptor<?, ?> descriptor, Duration ttl) {
        expire(descriptor, ttl, StateTtlConfig.UpdateType.OnReadAndWrite);
    }

    private static void expire(StateDescriptor<?, ?> descriptor, Duration ttl, StateTtlConfig.UpdateType update) {
        if (ttl != null) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(Math.max(1, ttl.toMillis())))
                    .setUpdateType(update)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    // Heap state is swept a few entries per access; a checkpoint taken between sweeps
                    // would carry expired entries, so full snapshots leave them out.
                    .cleanupFullSnapshot()
                    .build());
        }
    }
}
