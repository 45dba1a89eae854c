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

    /** Endless streams: the state is dropped once untouched for {@code ttl}; bounded runs keep it. */
    public static void expireAfter(StateDescriptor<?, ?> descriptor, Duration ttl) {
        if (ttl != null) {
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(org.apache.flink.api.common.time.Time.milliseconds(
                            Math.max(1, ttl.toMillis())))
                    .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                    .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                    .build());
        }
    }
}
