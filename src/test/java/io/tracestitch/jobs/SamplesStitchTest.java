package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.MiniClusters;

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
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real job over the samples, in several arrival orders and at parallelism 1 and 4. Every run's
 * output must be a valid changelog, its final view must equal the expected transactions exactly,
 * its dead letters must be exactly the sample's malformed lines, and every run of a sample must give
 * the same final transactions field by field (docs/stitching.md, T6). Each test runs all the orders
 * it compares itself, so any test passes alone and in any order.
 */
class SamplesStitchTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    enum Order { GIVEN, SHUFFLED, LATE, REVERSED }

    /** One stitching run of a sample: an arrival order at a parallelism. */
    record Run(Order order, int parallelism) {
        @Override
        public String toString() {
            return order + " p=" + parallelism;
        }
    }

    private static final long SEED = 20241125L;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * By default the full matrix: every sample in every order at p=1 and p=4 (24 runs, about 3
     * minutes). {@code -Dsamples.quick=true} runs a reduced one: small in every order at p=1 and
     * p=4, and late and formats shuffled at p=4.
     */
    static Stream<Arguments> samples() {
        boolean quick = Boolean.getBoolean("samples.quick");
        return Stream.of("small", "late", "formats").map(sample -> {
            List<Run> runs = new ArrayList<>();
            if (quick && !sample.equals("small")) {
                runs.add(new Run(Order.SHUFFLED, 4));
            } else {
                for (Order order : Order.values()) {
                    runs.add(new Run(order, 1));
                    runs.add(new Run(order, 4));
                }
            }
            return Arguments.of(sample, runs);
        });
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("samples")
    void everyOrderAndParallelismGivesTheExpectedTransactions(String sample, List<Run> runs, @TempDir Path dir)
            throws Exception {
        List<String> given = Files.readAllLines(resource(sample + ".ndjson"), StandardCharsets.UTF_8);
        Path expected = resource(sample + ".expected.ndjson");
        List<String> wantDead = given.stream().filter(SamplesStitchTest::malformed)
                .map(SamplesStitchTest::truncate).sorted().toList();
        assertThat(wantDead).as("the sample holds malformed lines").isNotEmpty();

        Run firstRun = null;
        Map<String, String> firstContent = null;
        for (Run run : runs) {
            Path input = Files.write(dir.resolve(run.order() + ".ndjson"), reorder(given, run.order()),
                    StandardCharsets.UTF_8);
            Path out = dir.resolve(run.order() + "-p" + run.parallelism() + ".transactions.ndjson");
            Path dead = dir.resolve(run.order() + "-p" + run.parallelism() + ".dead.ndjson");
            Map<String, Long> counters = StitchRun.run(
                    StitchRun.Files.of(List.of(input), out, dead), StitchConfig.defaults(), run.parallelism());

            FinalView view = FinalView.of(out);
            view.assertMatches(expected);
            Changelog.assertValid(out);
            assertThat(deadLetterLines(dead)).as("dead letters of %s %s (counters %s)", sample, run, counters)
                    .containsExactlyElementsOf(wantDead);
            if (firstRun == null) {
                firstRun = run;
                firstContent = view.content();
            } else {
                assertThat(view.content()).as("final transactions of %s %s equal those of %s", sample, run, firstRun)
                        .isEqualTo(firstContent);
            }
        }
    }

    private static List<String> deadLetterLines(Path deadLetters) throws IOException {
        List<String> raw = new ArrayList<>();
        for (String line : Files.readAllLines(deadLetters, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                raw.add(JSON.readTree(line).path("raw").asText());
            }
        }
        Collections.sort(raw);
        return raw;
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

    static String truncate(String line) {
        return line.length() > 2048 ? line.substring(0, 2048) : line;
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(SamplesStitchTest.class.getResource("/samples/" + name).toURI());
    }
}
