package io.tracestitch.config;

import io.tracestitch.testing.ReadmeTables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules every command shares, and the README's options table kept equal to {@link StitchOptions#ALL}. */
class StitchConfigTest {

    @Test
    void aHorizonShorterThanATraceIsHeldOpenIsRefusedWithTheMinimum() {
        assertThatThrownBy(() -> StitchConfig.fromText(Map.of("gap", "10s", "out-of-orderness", "5s",
                "max-hop-delay", "1min", "horizon", "74s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("horizon must be at least gap + out-of-orderness + max-hop-delay = 75s, got 74s");
        assertThat(StitchConfig.fromText(Map.of("gap", "10s", "out-of-orderness", "5s", "max-hop-delay", "1min",
                "horizon", "75s")).horizon()).hasSeconds(75);
        StitchConfig defaults = StitchConfig.defaults();
        assertThatThrownBy(() -> new StitchConfig(defaults.gapMs(), defaults.maxHopDelayMs(), defaults.outOfOrdernessMs(),
                java.time.Duration.ofMinutes(1), 1, 1, true)).hasMessageContaining("horizon must be at least");
    }

    @Test
    void durationsNeedAUnitAndStayWithinAHundredYears() {
        assertThatThrownBy(() -> StitchConfig.fromText(Map.of("max-hop-delay", "300")))
                .hasMessage("max-hop-delay: '300' has no unit; write e.g. 300s (units: ms, s, m or min, h, d)");
        assertThat(StitchConfig.fromText(Map.of("max-hop-delay", "0ms")).maxHopDelayMs()).isZero();
        assertThat(StitchConfig.fromText(Map.of("gap", "36500d")).gapMs()).isEqualTo(36_500L * 86_400_000);
        assertThatThrownBy(() -> StitchConfig.fromText(Map.of("gap", "36501d"))).hasMessage("gap must be from 1ms to 36500d");
        assertThatThrownBy(() -> StitchConfig.fromText(Map.of("horizon", "9999999999999d")))
                .hasMessage("horizon must be from 1ms to 36500d");
    }

    /** README's "### Options" table: one row per option, in order, with key, default and description. */
    @Test
    void readmeOptionsTableIsStitchOptionsAll() throws Exception {
        List<String> rows = ReadmeTables.keyTableRows("### Options");
        List<String> expected = StitchOptions.ALL.stream().map(option -> "| `" + option.key() + "` | "
                + (option.hasDefaultValue() ? "`" + StitchOptions.defaultText(option) + "`" : StitchOptions.defaultText(option))
                + " | " + StitchOptions.description(option) + " |").toList();
        assertThat(rows).containsExactlyElementsOf(expected);
    }
}
