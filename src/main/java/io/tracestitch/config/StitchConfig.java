package io.tracestitch.config;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.ReadableConfig;

/** The stitching settings, read once and validated; functions receive this, never raw options. */
public record StitchConfig(
        long gapMs,
        long maxHopDelayMs,
        long outOfOrdernessMs,
        Duration horizon,
        int maxSpansPerTransaction,
        int maxSidesPerKey,
        boolean includeSpans) implements Serializable {

    public StitchConfig {
        if (gapMs <= 0 || maxHopDelayMs < 0 || outOfOrdernessMs < 0) {
            throw new IllegalArgumentException("gap must be positive, max-hop-delay and out-of-orderness not negative");
        }
        if (horizon != null && horizon.isNegative()) {
            throw new IllegalArgumentException("horizon must not be negative");
        }
        if (maxSpansPerTransaction <= 0 || maxSidesPerKey <= 0) {
            throw new IllegalArgumentException("max-spans and max-sides-per-key must be positive");
        }
    }

    public static StitchConfig from(ReadableConfig conf) {
        return new StitchConfig(
                conf.get(StitchOptions.GAP).toMillis(),
                conf.get(StitchOptions.MAX_HOP_DELAY).toMillis(),
                conf.get(StitchOptions.OUT_OF_ORDERNESS).toMillis(),
                conf.getOptional(StitchOptions.HORIZON).orElse(null),
                conf.get(StitchOptions.MAX_SPANS_PER_TRANSACTION),
                conf.get(StitchOptions.MAX_SIDES_PER_KEY),
                conf.get(StitchOptions.INCLUDE_SPANS));
    }

    public static StitchConfig defaults() {
        return from(new org.apache.flink.configuration.Configuration());
    }

    /** True when state lives until the end of input (bounded runs). */
    public boolean unboundedHorizon() {
        return horizon == null;
    }

    /** Records with event time before this are too late to be used. */
    public long tooLateBefore(long watermark) {
        return horizon == null || watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - horizon.toMillis();
    }
}
