package io.tracestitch.config;

import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * Reads one option's value from text, as a user wrote it, with the rules every command shares:
 * a value Flink cannot read is refused naming what was expected, and a duration needs its unit
 * (Flink reads a bare {@code 5} as 5 ms, which nobody means by a gap of 5).
 */
final class OptionText {

    private OptionText() {}

    static <T> T read(ConfigOption<T> option, String text) {
        StitchOptions.ValueKind kind = StitchOptions.kindOf(option);
        T value;
        try {
            value = Configuration.fromMap(Map.of(option.key(), text)).get(option);
        } catch (IllegalArgumentException unreadable) {
            throw new IllegalArgumentException(option.key() + ": '" + abbreviated(text) + "' is not " + kind.expected);
        }
        if (kind == StitchOptions.ValueKind.DURATION && text.strip().chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException(option.key() + ": '" + abbreviated(text) + "' has no unit; write e.g. "
                    + text.strip() + "s (units: ms, s, m or min, h, d)");
        }
        return value;
    }

    /** Echoes a value in a message without letting a pasted megabyte swamp the line. */
    static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 37) + "…";
    }
}
