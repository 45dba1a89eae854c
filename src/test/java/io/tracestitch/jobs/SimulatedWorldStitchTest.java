package io.tracestitch.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.ShopSimulator.Options;
import io.tracestitch.jobs.ShopSimulator.Order;
import io.tracestitch.testing.FinalView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A simulated world with what the samples have little of — deep chains, untraced producers,
 * colliding ids, duplicate deliveries whose copies differ, both log formats — stitched in sorted
 * and in shuffled order at different parallelism must give the same final transactions, field by
 * field (only their ids may differ: they follow arrival order).
 */
class SimulatedWorldStitchTest {

    @TempDir
    Path dir;

    private Map<String, String> finalTransactions(Order order, int parallelism) throws Exception {
        Options world = Options.defaults().withSeed(29).withRequestsPerTenant(80).withMaxDepth(12)
                .withUntracedProducerRate(0.15).withCollidingIdRate(0.1).withDuplicateRate(0.3)
                .withJsonLogRate(0.5).withSnapStartRate(0.1).withOrder(order);
        Path input = Files.write(dir.resolve(order + ".ndjson"), new ShopSimulator(world).lines(),
                StandardCharsets.UTF_8);
        Path output = dir.resolve(order + "-p" + parallelism + ".out.ndjson");
        StitchRun.run(new StitchRun.Files(List.of(input), output, null), StitchConfig.defaults(), parallelism);
        return FinalView.of(output).content();
    }

    @Test
    void sortedAndShuffledGiveTheSameTransactionsAtAnyParallelism() throws Exception {
        Map<String, String> sorted = finalTransactions(Order.SORTED, 1);
        assertThat(sorted).hasSizeGreaterThan(100);
        assertThat(finalTransactions(Order.SHUFFLED, 4)).isEqualTo(sorted);
        assertThat(finalTransactions(Order.LATE, 2)).isEqualTo(sorted);
    }
}
