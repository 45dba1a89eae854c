package io.tracestitch.jobs.tools;

import io.tracestitch.jobs.TraceStitch;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;
import io.tracestitch.model.Span;
import io.tracestitch.operators.trace.TraceDigests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} runs every measurement and says where the CPU went (no timing is asserted).
 * No shared MiniCluster here: the yardsticks create local environments of their own, which Flink
 * refuses inside a test cluster's context, and (b), (b2) and (c) are measured alike on local clusters.
 */
class BenchmarkTest {

    @TempDir
    Path dir;

    private Path world;

    @BeforeEach
    void smallWorld() throws Exception {
        world = Files.write(dir.resolve("world.ndjson"),
                new ShopSimulator(ShopSimulator.Options.defaults().withRequestsPerTenant(20)).lines(),
                StandardCharsets.UTF_8);
    }

    @Test
    void printsRatesAgainstBothYardsticksAndThePerStageCpuBreakdown() throws Exception {
        String report = bench("--input", world.toString(), "--rounds", "1");
        assertThat(report).contains("round 1 (cold JVM):", "(a) parse", "(b) yardstick", "(c) stitch",
                "(b2) span yardstick", "c/b ", "c/b2 ", "CPU seconds of (b)", "CPU seconds of (c)",
                "CPU seconds of (b2)", "Assemble traces", "Resolve transactions", "Buffer traces", "Render spans",
                "Write spans", "JIT compilation", "GC", "process total");
        // Subtasks of one stage, and their helper threads, are summed under the stage's name.
        assertThat(report).doesNotContain("(1/2)", "(2/2)", "OutputFlusher", "Time Trigger");
    }

    @Test
    void coldRunsAMeasurementInAFreshJvm() throws Exception {
        String report = bench("--input", world.toString(), "--rounds", "1", "--cold", "--only", "b2");
        assertThat(report).contains("round 1 (each in a fresh JVM):  (b2) span yardstick", "|   CPU seconds of (b2)",
                "Buffer traces");
    }

    @Test
    void hostileModeReportsTimeHeapAndGrowth() throws Exception {
        // One case: every run is a MiniCluster start and two of them per size, so all five take long.
        String report = capture(() -> HostileBenchmark.run(0.001, 2, HostileBenchmark.CASES.subList(0, 1)));
        assertThat(report).contains("runtime baseline", "hot key, max-sides-per-key above N, N = 10:",
                "hot key, max-sides-per-key above N, N = 20:", "live heap", "hopSidesDropped 0", "CPU s: ",
                "hostile summary", "time×", "CPU×", "live×");
    }

    @Test
    void optionsOfOneModeAreRefusedInAnother() {
        String in = world.toString();
        for (String[] usageError : new String[][] {{"bench", "--hostile", "--input", in}, {"bench", "--input", in,
                "--scale", "2"}, {"bench", "--input", in, "--only", "d"}, {"bench", "--input", in, "--memory", "--cold"},
                {"bench", "--hostile", "--scale", "0"}, {"bench"}}) {
            assertThat(TraceStitch.run(usageError)).as(String.join(" ", usageError)).isEqualTo(2);
        }
    }

    @Test
    void theSpanYardstickRendersSpansAsTheJobDoes() throws Exception {
        // Garbage lines are the one thing in a simulated world that is not a span or a log line.
        List<String> lines = new ShopSimulator(ShopSimulator.Options.defaults().withRequestsPerTenant(20)
                .withGarbageRate(0)).lines();
        for (Span span : HostileWorldsTest.spans(lines)) {
            byte[] job = TraceDigests.spansJson(TraceDigests.of(span.traceId(), new Span[] {span}));
            assertThat(new String(SpanYardstick.jsonLines(new Span[] {span}), StandardCharsets.UTF_8))
                    .isEqualTo(new String(job, StandardCharsets.UTF_8));
        }
    }

    private static String bench(String... options) throws Exception {
        String[] args = new String[options.length + 1];
        args[0] = "bench";
        System.arraycopy(options, 0, args, 1, options.length);
        int[] code = new int[1];
        String report = capture(() -> code[0] = TraceStitch.run(args));
        assertThat(code[0]).as(report).isZero();
        return report;
    }

    private interface Printing {
        void run() throws Exception;
    }

    /** What {@code work} printed to standard output. */
    private static String capture(Printing work) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            work.run();
        } finally {
            System.setOut(originalOut);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
