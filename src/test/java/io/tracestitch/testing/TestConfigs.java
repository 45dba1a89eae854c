package io.tracestitch.testing;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.config.StitchOptions;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Stitching settings for operator tests, built from the real options so a test names the setting it
 * changes: {@code TestConfigs.bounded().set(StitchOptions.MAX_SPANS_PER_TRANSACTION, 3).build()}.
 */
public final class TestConfigs {

    public static final long GAP = StitchOptions.GAP.defaultValue().toMillis();
    public static final long MAX_HOP_DELAY = StitchOptions.MAX_HOP_DELAY.defaultValue().toMillis();
    /** The horizon of {@link #endless()}: the state time-to-live, in processing time. */
    public static final Duration HORIZON = Duration.ofHours(1);

    private TestConfigs() {}

    /** Bounded runs ({@code stitch}): no horizon, state kept to the end of input. */
    public static Builder bounded() {
        return new Builder();
    }

    /** Endless streams: a horizon of {@link #HORIZON}, so state expires and ids are numbered. */
    public static Builder endless() {
        return new Builder().set(StitchOptions.HORIZON, HORIZON);
    }

    public static final class Builder {
        private final Configuration conf = new Configuration();

        public <T> Builder set(ConfigOption<T> option, T value) {
            conf.set(option, value);
            return this;
        }

        public StitchConfig build() {
            return StitchConfig.from(conf);
        }
    }
}
