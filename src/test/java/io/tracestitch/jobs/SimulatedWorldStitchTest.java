package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Options;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Order;
import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.MiniClusters;
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
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Simulated worlds with what the samples have little of — deep chains, untraced producers,
 * colliding ids, duplicate deliveries whose copies differ, links, both log formats, SnapStart,
 * timeouts, garbage lines — stitched in sorted, late and shuffled order at different parallelism.
 * Every output must be a valid changelog, the final view must equal what {@link ReferenceStitcher}
 * computes from docs/stitching.md in batch, and the runs must agree field by field (only transaction
 * ids may differ: they follow arrival order).
 */
class SimulatedWorldStitchTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    private static final Options DEEP = Options.defaults().withSeed(29).withRequestsPerTenant(80).withMaxDepth(12)
            .withUntracedProducerRate(0.15).withCollidingIdRate(0.1).withDuplicateRate(0.3)
            .withJsonLogRate(0.5).withSnapStartRate(0.1);

    @TempDir
    Path dir;

    private FinalView stitch(Options world, List<String> lines, int parallelism) throws Exception {
        return stitch(world, lines, parallelism, StitchConfig.defaults());
    }

    private FinalView stitch(Options world, List<String> lines, int parallelism, StitchConfig config)
            throws Exception {
        String name = world.seed() + "-" + world.order() + "-p" + parallelism + "-" + config.hashCode();
        Path input = Files.write(dir.resolve(name + ".ndjson"), lines, StandardCharsets.UTF_8);
        Path output = dir.resolve(name + ".out.ndjson");
        StitchRun.run(StitchRun.Files.of(List.of(input), output, null), config, parallelism);
        Changelog.assertValid(output);
        return FinalView.of(output);
    }

    private FinalView stitch(Options world, int parallelism) throws Exception {
        return stitch(world, new ShopSimulator(world).lines(), parallelism);
    }

    @Test
    void sortedLateAndShuffledGiveTheSameTransactionsAtAnyParallelism() throws Exception {
        Options world = DEEP.withOrder(Order.SORTED);
        List<String> lines = new ShopSimulator(world).lines();
        FinalView sorted = stitch(world, lines, 1);
        assertThat(sorted.transactions()).hasSizeGreaterThan(100);
        assertThat(sorted.differences(ReferenceStitcher.expected(lines))).isEmpty();
        assertThat(stitch(DEEP.withOrder(Order.SHUFFLED), 4).content()).isEqualTo(sorted.content());
        assertThat(stitch(DEEP.withOrder(Order.LATE), 2).content()).isEqualTo(sorted.content());
    }

    @ParameterizedTest(name = "seed {0}, {1}, parallelism {2}")
    @CsvSource({"3, SHUFFLED, 4", "5, LATE, 1", "7, SORTED, 2"})
    void finalViewIsWhatTheStitchingRulesDefine(long seed, Order order, int parallelism) throws Exception {
        Options world = Options.defaults().withSeed(seed).withOrder(order)
                .withTenants(List.of("111111111111", "222222222222", "333333333333")).withRequestsPerTenant(60)
                .withMaxDepth(12).withUntracedProducerRate(0.15).withCollidingIdRate(0.2).withDuplicateRate(0.3)
                .withLinkRate(0.4).withJsonLogRate(0.5).withEnvelopeRate(0.5).withSnapStartRate(0.2)
                .withTimeoutRate(0.1).withGarbageRate(0.01);
        List<String> lines = new ShopSimulator(world).lines();
        FinalView view = stitch(world, lines, parallelism);
        List<FinalView.Expected> expected = ReferenceStitcher.expected(lines);
        assertThat(expected).hasSizeGreaterThan(100);
        assertThat(expected).anyMatch(e -> !e.upstream().isEmpty()).anyMatch(e -> e.unmatched() > 0)
                .anyMatch(e -> e.coldStarts() > 0).anyMatch(e -> e.timeouts() > 0);
        assertThat(view.differences(expected)).isEmpty();
    }

    /**
     * Endless-stream mode with a horizon longer than the whole world must change nothing but the
     * transaction ids: no state expires and nothing is too late.
     */
    @ParameterizedTest(name = "horizon {0}")
    @ValueSource(strings = {"6min", "1h", "30d"})
    void aHorizonLongerThanTheWorldGivesTheSameTransactionsAsNone(String horizon) throws Exception {
        Options world = DEEP.withOrder(Order.LATE);
        List<String> lines = new ShopSimulator(world).lines();
        FinalView without = stitch(world, lines, 2);
        FinalView with = stitch(world, lines, 2, StitchConfig.fromText(Map.of("horizon", horizon)));
        assertThat(with.transactions()).hasSizeGreaterThan(100);
        assertThat(with.content()).isEqualTo(without.content());
    }

    /**
     * A horizon so short that state expires while the run is still reading (processing time): the
     * job must not fail, every line must still be a valid changelog entry, and expired work is counted.
     */
    @Test
    void stateExpiringMidRunBreaksNeitherTheJobNorTheChangelog() throws Exception {
        Options world = DEEP.withOrder(Order.LATE).withRequestsPerTenant(300);
        Path input = Files.write(dir.resolve("expiring.ndjson"), new ShopSimulator(world).lines(), StandardCharsets.UTF_8);
        Path output = dir.resolve("expiring.out.ndjson");
        StitchConfig expiring = StitchConfig.fromText(Map.of("gap", "20ms", "out-of-orderness", "0ms",
                "max-hop-delay", "20ms", "horizon", "50ms"));
        Map<String, Long> counters = StitchRun.run(StitchRun.Files.of(List.of(input), output, null), expiring, 2);
        Changelog.assertValid(output);
        assertThat(FinalView.of(output).transactions()).isNotEmpty();
        assertThat(counters.get("expiredState")).as("state did expire mid-run").isPositive();
    }
}
