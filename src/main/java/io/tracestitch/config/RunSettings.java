package io.tracestitch.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;

/**
 * The settings of one {@code run} as text by key, each with where it came from, after the layers
 * were merged (--set over environment over file; defaults are not in here). Reading a value through
 * {@link #read} names its source in every refusal.
 */
public final class RunSettings {

    /** Where a value came from. */
    public record Source(Kind kind, String detail) {

        public enum Kind { FILE, ENV, SET }

        public static Source file(String path) {
            return new Source(Kind.FILE, path);
        }

        public static Source env(String variable) {
            return new Source(Kind.ENV, variable);
        }

        public static Source set() {
            return new Source(Kind.SET, "");
        }

        /** As a message says it: {@code in run.yaml}, {@code from --set}. */
        public String where() {
            return switch (kind) {
                case FILE -> "in " + detail;
                case ENV -> "from environment variable " + detail;
                case SET -> "from --set";
            };
        }

        /** As --dry-run shows it: {@code file run.yaml}, {@code env TRACESTITCH_GAP}, {@code --set}. */
        public String label() {
            return switch (kind) {
                case FILE -> "file " + detail;
                case ENV -> "env " + detail;
                case SET -> "--set";
            };
        }
    }

    /** One key's text and its source. The text of a secret key is never put into a message. */
    public record Setting(String text, Source source) {

        @Override
        public String toString() {
            return "Setting[(text not shown), " + source.label() + "]";
        }
    }

    private final Map<String, Setting> byKey;

    public RunSettings(Map<String, Setting> byKey) {
        this.byKey = Collections.unmodifiableMap(new LinkedHashMap<>(byKey));
    }

    public Optional<Setting> get(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public boolean has(ConfigOption<?> option) {
        return byKey.containsKey(option.key());
    }

    /** Every {@code kafka.properties.*} setting, by key. */
    public SortedMap<String, Setting> kafkaProperties() {
        SortedMap<String, Setting> properties = new TreeMap<>();
        byKey.forEach((key, setting) -> {
            if (RunOptions.isKafkaProperty(key)) {
                properties.put(key, setting);
            }
        });
        return properties;
    }

    /**
     * The value of a key read by {@code parse}, or empty when not given. A refusal keeps parse's
     * message (which names the key) and adds the source.
     */
    public <T> Optional<T> read(ConfigOption<?> option, Function<String, T> parse) {
        Setting setting = byKey.get(option.key());
        if (setting == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(setting.text().strip()));
        } catch (IllegalArgumentException refused) {
            throw refusal(refused.getMessage(), option.key());
        }
    }

    /** A refusal about a key: the message and where the key's value came from, when it was given. */
    public RunConfigException refusal(String message, String key) {
        Setting setting = byKey.get(key);
        return new RunConfigException(setting == null ? message : message + " (" + setting.source().where() + ")");
    }

    @Override
    public String toString() {
        return "RunSettings" + byKey.keySet();
    }
}
