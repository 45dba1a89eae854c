package io.tracestitch.jobs;

import io.tracestitch.config.RunOptions;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Options;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Order;
import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.MiniClusters;
import io.tracestitch.testing.OtlpEncoding;
import io.tracestitch.testing.ReferenceStitcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same worlds in the native encoding and as OTLP (JSON lines and length-prefixed protobuf, as
 * the Collector's file exporter writes them; {@link OtlpEncoding} mixes old and new attribute names
 * and sends batches as links) must give the same transactions through {@code stitch --input
 * <logs> --otlp <spans>}: what the stitching rules define for the native lines.
 */
class OtlpStitchTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    @TempDir
    Path dir;

    private FinalView stitch(String name, OtlpEncoding.Encoded encoded, boolean proto, int parallelism) throws Exception {
        OtlpEncoding.Written files = encoded.write(dir, name, proto);
        Path logs = files.logs();
        Path spans = files.spans();
        assertThat(StitchRun.otlpFormatOf(spans).text()).isEqualTo(proto ? "otlp_proto" : "otlp_json");
        Path output = dir.resolve(name + (proto ? ".proto" : ".json") + ".out.ndjson");
        Path deadLetters = dir.resolve(name + (proto ? ".proto" : ".json") + ".dead.ndjson");
        StitchRun.run(StitchRun.Files.checked(List.of(logs), List.of(spans), output, deadLetters,
                null, RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue()), StitchConfig.defaults(), parallelism);
        Changelog.assertValid(output);
        return FinalView.of(output);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"small", "formats"})
    void theSamplesAsOtlpGiveTheirExpectedTransactions(String sample) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/samples/" + sample + ".ndjson"),
                StandardCharsets.UTF_8);
        OtlpEncoding.Encoded encoded = OtlpEncoding.encode(lines);
        assertThat(encoded.requests()).isNotEmpty();
        Path expected = Path.of("src/test/resources/samples/" + sample + ".expected.ndjson");
        assertThat(stitch(sample, encoded, true, 1).differences(expected)).isEmpty();
        assertThat(stitch(sample, encoded, false, 4).differences(expected)).isEmpty();
    }

    @Test
    void aSimulatedWorldAsOtlpGivesWhatItsNativeLinesDefine() throws Exception {
        Options world = Options.defaults().withSeed(11).withOrder(Order.SHUFFLED)
                .withTenants(List.of("111111111111", "222222222222")).withRequestsPerTenant(60).withMaxDepth(10)
                .withUntracedProducerRate(0.15).withCollidingIdRate(0.2).withDuplicateRate(0.3).withLinkRate(0.4)
                .withJsonLogRate(0.5).withSnapStartRate(0.2).withTimeoutRate(0.1).withGarbageRate(0.01);
        List<String> lines = new ShopSimulator(world).lines();
        List<FinalView.Expected> expected = ReferenceStitcher.expected(lines);
        assertThat(expected).hasSizeGreaterThan(50).anyMatch(e -> !e.upstream().isEmpty());
        OtlpEncoding.Encoded encoded = OtlpEncoding.encode(lines);
        FinalView proto = stitch("world", encoded, true, 2);
        assertThat(proto.differences(expected)).isEmpty();
        FinalView json = stitch("world", encoded, false, 3);
        assertThat(json.differences(expected)).isEmpty();
    }

    @Test
    void badRequestsAndSpansAreDeadLettersAndTheRestIsStitched() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/samples/small.ndjson"), StandardCharsets.UTF_8);
        OtlpEncoding.Encoded encoded = OtlpEncoding.encode(lines);
        List<String> json = new java.util.ArrayList<>(encoded.jsonLines());
        json.add(1, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"00\"}]}]}]}");
        json.add(2, "not json");
        Path logs = Files.write(dir.resolve("logs.ndjson"), encoded.nativeLines(), StandardCharsets.UTF_8);
        Path spans = Files.write(dir.resolve("spans.jsonl"), json, StandardCharsets.UTF_8);
        Path output = dir.resolve("out.ndjson");
        Path deadLetters = dir.resolve("dead.ndjson");
        Map<String, Long> counters = StitchRun.run(StitchRun.Files.checked(List.of(logs), List.of(spans), output,
                deadLetters, null, "cloud.account.id"), StitchConfig.defaults(), 2);
        List<String> dead = Files.readAllLines(deadLetters, StandardCharsets.UTF_8);
        assertThat(dead).filteredOn(l -> l.contains("otlp")).hasSize(2)
                .anyMatch(l -> l.startsWith("{\"reason\":\"invalid-otlp-id\""))
                .anyMatch(l -> l.startsWith("{\"reason\":\"malformed-otlp\"") && l.endsWith("\"raw\":\"not json\"}"));
        assertThat(FinalView.of(output).differences(Path.of("src/test/resources/samples/small.expected.ndjson"))).isEmpty();
        assertThat(counters.get("recordsIn")).isEqualTo(encoded.nativeLines().size() + json.size());
    }
}
