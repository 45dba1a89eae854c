package io.tracestitch.config;

import io.tracestitch.config.RunSettings.Setting;
import io.tracestitch.config.RunSettings.Source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.ConfigOption;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Loads {@code run}'s configuration from its three sources and validates it. Precedence, highest
 * first: {@code --set key=value}, then environment variables ({@code TRACESTITCH_} and the key
 * upper-cased with {@code .} and {@code -} as {@code _}), then the file, then the defaults.
 *
 * <p>The file is YAML ({@code .yaml}, {@code .yml}), whose nested mappings are flattened to dotted
 * keys, or Java properties ({@code .properties}). An unknown key from any source, an environment
 * variable starting with {@code TRACESTITCH_} that names no key, a key given twice in one source
 * and an empty value are refused. No message ever holds a {@code kafka.properties.*} value.
 */
public final class RunConfigLoader {

    /** A configuration file is a page or two; anything this big is the wrong file. */
    static final long MOST_FILE_BYTES = 1 << 20;

    /** Keys whose YAML value may be a list, joined with commas. */
    private static final Set<String> LIST_KEYS = Set.of(RunOptions.KAFKA_BOOTSTRAP_SERVERS.key(),
            RunOptions.INPUT_KAFKA_TOPICS.key(), RunOptions.INPUT_KINESIS_STREAMS.key());

    private static final YAMLFactory YAML = YAMLFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** The validated configuration and the settings it was made from. */
    public record Loaded(RunConfig config, RunSettings settings) {

        /**
         * The effective configuration, one line per key in the README's order, each with its source:
         * {@code checkpoint.interval = 10s (default)}. Kafka client property values show as
         * {@code (redacted)}.
         */
        public List<String> describe() {
            List<String[]> rows = new ArrayList<>();
            for (ConfigOption<?> option : RunOptions.ALL) {
                rows.add(settings.get(option.key())
                        .map(setting -> new String[] {option.key(), setting.text().strip(), setting.source().label()})
                        .orElseGet(() -> new String[] {option.key(), defaultText(option), "default"}));
                if (option == RunOptions.KAFKA_BOOTSTRAP_SERVERS) {
                    settings.kafkaProperties().forEach((key, setting) ->
                            rows.add(new String[] {key, "(redacted)", setting.source().label()}));
                }
            }
            int keyWidth = rows.stream().mapToInt(row -> row[0].length()).max().orElse(0);
            int valueWidth = rows.stream().mapToInt(row -> row[1].length()).max().orElse(0);
            return rows.stream().map(row -> String.format(Locale.ROOT, "%-" + keyWidth + "s = %-" + valueWidth + "s  (%s)",
                    row[0], row[1], row[2]).stripTrailing()).toList();
        }

        private String defaultText(ConfigOption<?> option) {
            if (option == StitchOptions.HORIZON && config.stitch().unboundedHorizon()) {
                return "(none: kept until the end of input)";
            }
            String text = RunOptions.defaultText(option);
            return text.equals("(none)") ? "(not set)" : text;
        }
    }

    private RunConfigLoader() {}

    /**
     * @param file the configuration file, named in messages as given
     * @param sets the {@code key=value} arguments of {@code --set}, in order
     * @param env the environment, e.g. {@code System.getenv()}
     */
    public static Loaded load(Path file, List<String> sets, Map<String, String> env) {
        Source fileSource = Source.file(file.toString());
        Map<String, Setting> merged = new LinkedHashMap<>();
        readFile(file).forEach((key, text) -> merged.put(key, setting(key, text, fileSource)));
        new TreeMap<>(env).forEach((name, text) -> {
            if (name.startsWith(RunOptions.ENV_PREFIX)) {
                String key = RunOptions.keyOfEnv(name).orElseThrow(() -> new RunConfigException("environment variable "
                        + name + " names no key of run" + suggestion(CloseNames.of(name,
                                RunOptions.ALL.stream().map(option -> RunOptions.envName(option.key())).toList()))));
                merged.put(key, setting(key, text, Source.env(name)));
            }
        });
        Map<String, Setting> given = new LinkedHashMap<>();
        for (String set : sets) {
            int equals = set.indexOf('=');
            if (equals < 0) {
                // Without its '=' a secret may still be in there ("kafka.properties.x:secret"): show its key only.
                String shownSet = RunOptions.isSecret(set) ? set.split("[\\s:]", 2)[0] + " …" : shown(set);
                throw new RunConfigException("--set '" + shownSet + "' is not key=value");
            }
            String key = set.substring(0, equals);
            requireKey(key, Source.set());
            if (given.put(key, setting(key, set.substring(equals + 1), Source.set())) != null) {
                throw new RunConfigException(key + " is given twice with --set");
            }
        }
        merged.putAll(given);
        RunSettings settings = new RunSettings(merged);
        return new Loaded(RunConfig.from(settings), settings);
    }

    /** The file's settings as text by key, YAML flattened to dotted keys; every key checked. */
    static Map<String, String> readFile(Path file) {
        String name = file.toString();
        if (name.isEmpty()) {
            throw new RunConfigException("--config is an empty path");
        }
        requireRegularFile(file);
        String lower = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = lower.endsWith(".yaml") || lower.endsWith(".yml");
        if (!yaml && !lower.endsWith(".properties")) {
            throw new RunConfigException("--config " + name + ": the name must end in .yaml, .yml or .properties");
        }
        String text = read(file);
        Map<String, String> textByKey = yaml ? yaml(name, text) : properties(name, text);
        textByKey.keySet().forEach(key -> requireKey(key, Source.file(name)));
        return textByKey;
    }

    private static void requireRegularFile(Path file) {
        if (Files.isDirectory(file)) {
            throw new RunConfigException("--config " + file + " is a directory");
        }
        if (!Files.exists(file)) {
            throw new RunConfigException("--config " + file + (Files.isSymbolicLink(file) ? " is a broken symbolic link"
                    : " does not exist"));
        }
        if (!Files.isRegularFile(file)) {
            throw new RunConfigException("--config " + file + " is not a regular file");
        }
    }

    private static String read(Path file) {
        try {
            if (Files.size(file) > MOST_FILE_BYTES) {
                throw new RunConfigException("--config " + file + " is larger than 1 MiB");
            }
            byte[] bytes = Files.readAllBytes(file);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException notUtf8) {
                throw new RunConfigException("--config " + file + " is not UTF-8");
            }
        } catch (IOException e) {
            throw new RunConfigException("cannot read --config " + file + ": " + reason(e));
        }
    }

    /**
     * YAML scalars are taken as the text written ({@code 010} stays {@code 010}, not 8), so a
     * value means the same in YAML, properties, the environment and {@code --set}.
     */
    private static Map<String, String> yaml(String name, String text) {
        Map<String, String> textByKey = new LinkedHashMap<>();
        try (JsonParser parser = YAML.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return textByKey; // an empty file
            }
            if (first != JsonToken.START_OBJECT) {
                throw new RunConfigException("--config " + name + " is not a YAML mapping of keys to values");
            }
            readMapping(parser, "", textByKey, name);
            if (parser.nextToken() != null) {
                throw new RunConfigException("--config " + name + " holds more than one YAML document");
            }
        } catch (JsonProcessingException malformed) {
            throw new RunConfigException("--config " + name + " is not valid YAML: " + problem(malformed));
        } catch (IOException e) {
            throw new RunConfigException("cannot read --config " + name + ": " + reason(e));
        }
        return textByKey;
    }

    private static void readMapping(JsonParser parser, String prefix, Map<String, String> textByKey, String name)
            throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = prefix + parser.currentName();
            JsonToken value = parser.nextToken();
            if (value == JsonToken.START_OBJECT) {
                readMapping(parser, key + ".", textByKey, name);
                continue;
            }
            String text;
            if (value == JsonToken.START_ARRAY) {
                requireKey(key, Source.file(name));
                if (!LIST_KEYS.contains(key)) {
                    throw new RunConfigException(key + ": a list, but it takes one value (in " + name + ")");
                }
                List<String> entries = new ArrayList<>();
                for (JsonToken entry = parser.nextToken(); entry != JsonToken.END_ARRAY; entry = parser.nextToken()) {
                    if (entry.isStructStart()) {
                        throw new RunConfigException(key + ": a list entry is not a single value (in " + name + ")");
                    }
                    entries.add(entry == JsonToken.VALUE_NULL ? "" : parser.getText());
                }
                text = String.join(",", entries);
            } else {
                text = value == JsonToken.VALUE_NULL ? "" : parser.getText();
            }
            if (textByKey.put(key, text) != null) {
                throw new RunConfigException(key + " is given twice in " + name);
            }
        }
    }

    /**
     * Where the YAML is broken and what is wrong, without the excerpt of the file that snakeyaml
     * adds to its message: that excerpt could be a Kafka client property's secret value.
     */
    private static String problem(JsonProcessingException malformed) {
        String what = malformed.getOriginalMessage().lines().findFirst().orElse("malformed");
        int line = malformed.getLocation() == null ? 0 : malformed.getLocation().getLineNr();
        int column = malformed.getLocation() == null ? 0 : malformed.getLocation().getColumnNr();
        if (malformed.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
            what = yaml.getProblem();
            if (yaml.getProblemMark() != null) { // snakeyaml's marks count from 0
                line = yaml.getProblemMark().getLine() + 1;
                column = yaml.getProblemMark().getColumn() + 1;
            }
        }
        if (what.startsWith("Duplicate field")) {
            what = what.replace("Duplicate field", "duplicate key");
        }
        return RunOptions.redact(what) + (line < 1 ? "" : " at line " + line + ", column " + column);
    }

    private static Map<String, String> properties(String name, String text) {
        Map<String, String> textByKey = new LinkedHashMap<>();
        // Properties keeps the last of two equal keys silently; put() sees every one, in order.
        Properties properties = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                if (textByKey.put((String) key, (String) value) != null) {
                    throw new RunConfigException(key + " is given twice in " + name);
                }
                return null;
            }
        };
        try {
            properties.load(new StringReader(text));
        } catch (RunConfigException twice) {
            throw twice;
        } catch (IllegalArgumentException | IOException malformed) {
            throw new RunConfigException("--config " + name + " is not a valid properties file: malformed \\uXXXX escape");
        }
        return textByKey;
    }

    private static void requireKey(String key, Source source) {
        if (!RunOptions.isKey(key)) {
            List<String> close = RunOptions.closeKeys(key);
            throw new RunConfigException("unknown key '" + shown(key) + "' (" + source.where()
                    + (close.isEmpty() ? "" : "; did you mean " + String.join(" or ", close) + "?") + ")");
        }
    }

    private static Setting setting(String key, String text, Source source) {
        if (text.isBlank()) {
            throw new RunConfigException(key + " has no value (" + source.where() + ")");
        }
        return new Setting(text, source);
    }

    private static String suggestion(List<String> close) {
        return close.isEmpty() ? "" : " (did you mean " + String.join(" or ", close) + "?)";
    }

    /** Text quoted in a message: shortened, and a Kafka client property's value hidden. */
    private static String shown(String text) {
        return OptionText.abbreviated(RunOptions.redact(text));
    }

    private static String reason(IOException e) {
        return e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileSystemException failure && failure.getReason() != null ? failure.getReason()
                : String.valueOf(e.getMessage());
    }
}
