package io.tracestitch.jobs.tools;

import io.tracestitch.jobs.TraceStitch;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} runs all three measurements and says where the CPU went (no timing is asserted).
 * No shared MiniCluster here: the yardstick creates a local environment of its own, which Flink
 * refuses inside a test cluster's context, and (b) and (c) are measured alike on local clusters.
 */
class BenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void printsRatesAndThePerStageCpuBreakdown() throws Exception {
        Path input = Files.write(dir.resolve("world.ndjson"),
                new ShopSimulator(ShopSimulator.Options.defaults().withRequestsPerTenant(20)).lines(),
                StandardCharsets.UTF_8);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = TraceStitch.run("bench", "--input", input.toString(), "--rounds", "1");
        } finally {
            System.setOut(originalOut);
        }
        String report = captured.toString(StandardCharsets.UTF_8);
        assertThat(code).as(report).isZero();
        assertThat(report).contains("round 1 (cold JVM): (a) parse", "(b) yardstick", "(c) stitch", "c/b",
                "CPU seconds of (b)", "CPU seconds of (c)", "Assemble traces", "Resolve transactions",
                "JIT compilation", "GC", "process total");
        // Subtasks of one stage, and their helper threads, are summed under the stage's name.
        assertThat(report).doesNotContain("(1/2)", "(2/2)", "OutputFlusher");
    }
}
