package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.testing.FinalView;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real job over the shared samples, in several arrival orders and at parallelism 1 and 4: the final
 * view must equal the expected transactions exactly, the dead letters must be exactly the malformed input
 * lines, and both parallelisms must give the same partition.
 */
class SamplesStitchTest {

    enum Order { GIVEN, SHUFFLED, LATE, REVERSED }

    /** The final transactions of each sample from whichever order ran first (the runs share one JVM). */
    private static final Map<String, Map<String, String>> CONTENT_BY_SAMPLE =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final long SEED = 20241125L;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * By default the full matrix: every sample × order at p=1 and p=4 (24 runs, about 3 minutes).
     * {@code -Dsamples.quick=true} runs a reduced one: small in every order at p=1 and p=4, and late and
     * formats shuffled at p=4.
     */
    static Stream<Arguments> runs() {
        boolean full = !Boolean.getBoolean("samples.quick");
        List<Arguments> out = new ArrayList<>();
        for (String sample : List.of("small", "late", "formats")) {
            for (Order order : Order.values()) {
                if (full || sample.equals("small")) {
                    out.add(Arguments.of(sample, order, List.of(1, 4)));
                } else if (order == Order.SHUFFLED) {
                    out.add(Arguments.of(sample, order, List.of(4)));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} p={2}")
    @MethodSource("runs")
    void finalViewMatchesExpected(String sample, Order order, List<Integer> parallelisms, @TempDir Path dir)
            throws Exception {
        List<String> lines = reorder(Files.readAllLines(resource(sample + ".ndjson"), StandardCharsets.UTF_8), order);
        Path input = dir.resolve(sample + "-" + order + ".ndjson");
        Files.write(input, lines, StandardCharsets.UTF_8);
        Path expected = resource(sample + ".expected.ndjson");
        List<String> wantDead = new ArrayList<>();
        for (String line : lines) {
            if (malformed(line)) {
                wantDead.add(truncate(line));
            }
        }
        Collections.sort(wantDead);
        assertThat(wantDead).as("the sample holds malformed lines").isNotEmpty();

        Map<String, String> contentAtP1 = null;
        for (int parallelism : parallelisms) {
            Path out = dir.resolve("transactions-p" + parallelism + ".ndjson");
            Path dead = dir.resolve("dead-p" + parallelism + ".ndjson");
            Map<String, Long> counters = StitchRun.run(
                    new StitchRun.Files(List.of(input), out, dead), StitchConfig.defaults(), parallelism);

            FinalView view = FinalView.of(out);
            view.assertMatches(expected);

            List<String> gotDead = new ArrayList<>();
            for (String l : Files.readAllLines(dead, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    gotDead.add(JSON.readTree(l).path("raw").asText());
                }
            }
            Collections.sort(gotDead);
            assertThat(gotDead).as("dead letters of %s %s at p=%d (counters %s)", sample, order, parallelism, counters)
                    .containsExactlyElementsOf(wantDead);

            if (contentAtP1 == null) {
                contentAtP1 = view.content();
            } else {
                assertThat(view.content()).as("final transactions at p=%d equal p=1's", parallelism)
                        .isEqualTo(contentAtP1);
            }
            // Every order of a sample must give the same transactions, field by field.
            Map<String, String> firstOrder = CONTENT_BY_SAMPLE.putIfAbsent(sample, view.content());
            if (firstOrder != null) {
                assertThat(view.content()).as("final transactions of %s %s equal those of the first order run",
                        sample, order).isEqualTo(firstOrder);
            }
        }
    }

    static List<String> reorder(List<String> given, Order order) {
        List<String> lines = new ArrayList<>(given);
        Random random = new Random(SEED);
        switch (order) {
            case GIVEN -> { }
            case SHUFFLED -> Collections.shuffle(lines, random);
            case REVERSED -> Collections.reverse(lines);
            case LATE -> {
                // ~10% of lines move 200–2000 lines later; the others keep their relative order.
                record Keyed(double position, String line) {}
                List<Keyed> keyed = new ArrayList<>();
                for (int i = 0; i < lines.size(); i++) {
                    double position = random.nextDouble() < 0.10 ? i + 200 + random.nextInt(1801) + 0.5 : i;
                    keyed.add(new Keyed(position, lines.get(i)));
                }
                keyed.sort(Comparator.comparingDouble(Keyed::position));
                lines = new ArrayList<>(keyed.stream().map(Keyed::line).toList());
            }
        }
        return lines;
    }

    /** The contract's malformed lines, decided independently of the job's parser. */
    static boolean malformed(String line) {
        if (line.length() > 1 << 20) {
            return true;
        }
        if (line.isBlank()) {
            return false;
        }
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (IOException e) {
            return true;
        }
        if (n == null || !n.isObject()) {
            return true;
        }
        if (n.has("messageType")) {
            String mt = n.path("messageType").asText();
            if (mt.equals("CONTROL_MESSAGE")) {
                return false;
            }
            if (!mt.equals("DATA_MESSAGE") || !n.path("logEvents").isArray()) {
                return true;
            }
            for (JsonNode e : n.path("logEvents")) {
                if (!e.path("timestamp").isNumber() || !e.path("message").isTextual()) {
                    return true;
                }
            }
            return false;
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual()) {
            return true;
        }
        return switch (type.asText()) {
            case "span" -> badId(n.get("traceId")) || badId(n.get("spanId"))
                    || !n.path("startMs").isNumber() || !n.path("endMs").isNumber()
                    || n.path("endMs").asDouble() < n.path("startMs").asDouble()
                    || badMessages(n.get("messages")) || badLinks(n.get("links"));
            case "log" -> !n.path("message").isTextual() || !n.path("timestampMs").isNumber();
            default -> true;
        };
    }

    /** {@code messages}, when present and not null, is an array of {system, operation, id} objects. */
    private static boolean badMessages(JsonNode messages) {
        if (messages == null || messages.isNull()) {
            return false;
        }
        if (!messages.isArray()) {
            return true;
        }
        for (JsonNode m : messages) {
            if (!m.isObject() || badId(m.get("system")) || badId(m.get("id"))
                    || !List.of("publish", "send", "create", "receive", "process", "deliver")
                            .contains(m.path("operation").asText().toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** {@code links}, when present and not null, is an array of objects naming a trace. */
    private static boolean badLinks(JsonNode links) {
        if (links == null || links.isNull()) {
            return false;
        }
        if (!links.isArray()) {
            return true;
        }
        for (JsonNode l : links) {
            if (!l.isObject() || badId(l.get("traceId"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean badId(JsonNode id) {
        return id == null || !id.isTextual() || id.asText().isEmpty() || id.asText().length() > 256;
    }

    private static String truncate(String line) {
        return line.length() > 2048 ? line.substring(0, 2048) : line;
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(SamplesStitchTest.class.getResource("/samples/" + name).toURI());
    }
}
