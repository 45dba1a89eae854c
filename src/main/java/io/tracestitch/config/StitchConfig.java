package io.tracestitch.config;

import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The stitching settings, read once and validated; functions receive this, never raw options.
 * Every rule is checked here, and every violation is an IllegalArgumentException whose message is
 * one line naming the option, so each command reports it the same way.
 */
public record StitchConfig(
        long gapMs,
        long maxHopDelayMs,
        long outOfOrdernessMs,
        Duration horizon,
        int maxSpansPerTransaction,
        int maxSidesPerKey,
        boolean includeSpans) implements Serializable {

    /** Longest duration accepted: event times plus a few of these stay far from overflowing a long. */
    public static final Duration LONGEST = Duration.ofDays(36_500);

    public StitchConfig {
        requireDuration(StitchOptions.GAP, gapMs, 1);
        requireDuration(StitchOptions.MAX_HOP_DELAY, maxHopDelayMs, 0);
        requireDuration(StitchOptions.OUT_OF_ORDERNESS, outOfOrdernessMs, 0);
        if (horizon != null) {
            requireDuration(StitchOptions.HORIZON, millis(horizon), 1);
            // A trace is held open for up to this long in event time; a shorter horizon would
            // expire its state while the job still waits for the rest of it.
            long held = gapMs + outOfOrdernessMs + maxHopDelayMs;
            if (horizon.toMillis() < held) {
                throw new IllegalArgumentException("horizon must be at least gap + out-of-orderness + max-hop-delay = "
                        + format(held) + ", got " + format(horizon.toMillis()));
            }
        }
        requirePositive(StitchOptions.MAX_SPANS_PER_TRANSACTION, maxSpansPerTransaction);
        requirePositive(StitchOptions.MAX_SIDES_PER_KEY, maxSidesPerKey);
    }

    public static StitchConfig from(ReadableConfig conf) {
        return new StitchConfig(
                millis(conf.get(StitchOptions.GAP)),
                millis(conf.get(StitchOptions.MAX_HOP_DELAY)),
                millis(conf.get(StitchOptions.OUT_OF_ORDERNESS)),
                conf.getOptional(StitchOptions.HORIZON).orElse(null),
                conf.get(StitchOptions.MAX_SPANS_PER_TRANSACTION),
                conf.get(StitchOptions.MAX_SIDES_PER_KEY),
                conf.get(StitchOptions.INCLUDE_SPANS));
    }

    /**
     * Options given as text by key, as on the command line ({@code "gap" -> "30s"}). A duration
     * needs its unit: Flink reads a bare {@code 5} as 5 ms, which nobody means by a gap of 5.
     */
    public static StitchConfig fromText(Map<String, String> textByKey) {
        Configuration conf = Configuration.fromMap(textByKey);
        textByKey.forEach((key, text) -> OptionText.read(StitchOptions.byKey(key), text));
        return from(conf);
    }

    public static StitchConfig defaults() {
        return from(new Configuration());
    }

    /** True when state lives until the end of input (bounded runs). */
    public boolean unboundedHorizon() {
        return horizon == null;
    }

    /** Records with event time before this are too late to be used. */
    public long tooLateBefore(long watermark) {
        return horizon == null || watermark == Long.MIN_VALUE ? Long.MIN_VALUE : watermark - horizon.toMillis();
    }

    /** Capped instead of overflowing, so that an absurd duration fails the range check by name. */
    private static long millis(Duration duration) {
        return duration.compareTo(LONGEST) > 0 ? Long.MAX_VALUE : duration.toMillis();
    }

    private static void requireDuration(ConfigOption<?> option, long ms, long leastMs) {
        if (ms < leastMs || ms > LONGEST.toMillis()) {
            throw new IllegalArgumentException(option.key() + " must be from " + format(leastMs) + " to "
                    + StitchOptions.format(LONGEST) + (ms > LONGEST.toMillis() ? "" : ", got " + format(ms)));
        }
    }

    private static void requirePositive(ConfigOption<?> option, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(option.key() + " must be at least 1, got " + value);
        }
    }

    private static String format(long ms) {
        return StitchOptions.format(Duration.ofMillis(ms));
    }
}
