package io.tracestitch.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.TimeUtils;

/** Every stitching setting, its default and what it means (the README's table comes from here). */
public final class StitchOptions {

    public static final ConfigOption<Duration> GAP = ConfigOptions.key("gap")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("Inactivity gap (event time): a trace is closed and handed on once no span of it "
                    + "has ended for this long. Later spans of it produce a new revision.");
    public static final ConfigOption<Duration> MAX_HOP_DELAY = ConfigOptions.key("max-hop-delay")
            .durationType().defaultValue(Duration.ofMinutes(5))
            .withDescription("How long a received message waits for its publisher: a transaction holding an "
                    + "unmatched receive is first emitted this long (event time) after that trace's last span. "
                    + "On endless streams it is also the time-to-live of a join key's pairing state.");
    public static final ConfigOption<Duration> OUT_OF_ORDERNESS = ConfigOptions.key("out-of-orderness")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("Allowed out-of-orderness of the input: the watermark trails the latest event "
                    + "time by this much. Records behind the watermark are still used (counted as late).");
    public static final ConfigOption<Duration> HORIZON = ConfigOptions.key("horizon")
            .durationType().noDefaultValue()
            .withDescription("Endless streams: how long (processing time) a trace, transaction or invocation "
                    + "is kept for revisions after it was last touched; records older than the watermark minus "
                    + "the horizon go to the dead-letter output as too-late. Unset: kept until the end of input "
                    + "(bounded input: nothing is too late).");
    public static final ConfigOption<Integer> MAX_SPANS_PER_TRANSACTION = ConfigOptions.key("max-spans")
            .intType().defaultValue(10_000)
            .withDescription("Maximum spans per transaction in the output (beyond it the record lists the "
                    + "earliest ones and is flagged truncated) and per trace in state (beyond it spans go to "
                    + "the dead-letter output, reason trace-span-cap).");
    public static final ConfigOption<Integer> MAX_SIDES_PER_KEY = ConfigOptions.key("max-sides-per-key")
            .intType().defaultValue(1_000)
            .withDescription("Maximum publishing plus receiving traces kept per join key; further ones are "
                    + "counted (metric hopSidesDropped) and not paired.");
    public static final ConfigOption<Boolean> INCLUDE_SPANS = ConfigOptions.key("include-spans")
            .booleanType().defaultValue(true)
            .withDescription("Write the spans themselves into each transaction record.");

    public static final List<ConfigOption<?>> ALL = List.of(
            GAP, MAX_HOP_DELAY, OUT_OF_ORDERNESS, HORIZON, MAX_SPANS_PER_TRANSACTION, MAX_SIDES_PER_KEY, INCLUDE_SPANS);

    /** What an option's value looks like as text (on the command line). */
    public enum ValueKind {
        DURATION("1 s", "<duration>", "a duration: a number and a unit (ms, s, m or min, h, d), e.g. 30s"),
        WHOLE_NUMBER("1", "<n>", "a whole number"),
        BOOLEAN("true", "<true|false>", "true or false");

        private final String sample;
        public final String label;
        public final String expected;

        ValueKind(String sample, String label, String expected) {
            this.sample = sample;
            this.label = label;
            this.expected = expected;
        }
    }

    private StitchOptions() {}

    public static ConfigOption<?> byKey(String key) {
        return ALL.stream().filter(option -> option.key().equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown option " + key));
    }

    /**
     * ConfigOption keeps its value type to itself, so ask Flink which sample it accepts: only a
     * duration takes "1 s", and of the rest only a number takes "1".
     */
    public static ValueKind kindOf(ConfigOption<?> option) {
        for (ValueKind kind : ValueKind.values()) {
            try {
                Configuration.fromMap(Map.of(option.key(), kind.sample)).get(option);
                return kind;
            } catch (IllegalArgumentException notThisKind) {
                // try the next
            }
        }
        throw new IllegalStateException("option " + option.key() + " has a value type the command line cannot give");
    }

    /** The description as plain text. */
    public static String description(ConfigOption<?> option) {
        return new PlainTextFormatter().format(option.description());
    }

    /** The default as a user would write it ({@code 30s}), or {@code (none)}. */
    public static String defaultText(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "(none)";
        }
        return option.defaultValue() instanceof Duration duration ? format(duration) : String.valueOf(option.defaultValue());
    }

    /** A duration in its largest whole unit, as a user writes it: {@code 30s}, {@code 5min}, {@code 340s}. */
    public static String format(Duration duration) {
        return TimeUtils.formatWithHighestUnit(duration).replace(" ", "");
    }
}
