package io.tracestitch.jobs.tools;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.StitchRun;
import io.tracestitch.jobs.tools.HostileWorlds.World;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;

/**
 * {@code bench --hostile}: {@code stitch} on {@link HostileWorlds} at 1× and 2× size, so that a cost
 * growing faster than the input shows as a growth ratio above 2. Each size runs twice: once timed,
 * with the per-stage CPU breakdown and the highest heap use the JVM's pools reached (garbage
 * included, so it depends on -Xmx and the collector); once under {@link Benchmark#peakLiveHeap}'s
 * sampler, which forces a full GC every half second and keeps the highest live heap: the heap the
 * run needs, but slower, so that run is not timed. A warm-up run first keeps the JIT's warm-up out
 * of the first case's time.
 */
final class HostileBenchmark {

    /** One hostile world, its size at scale 1 and the options it runs with at a given size. */
    record Case(String name, World world, int size, IntFunction<Map<String, String>> options) {}

    private static final Case DISTINCT_KEYS =
            new Case("distinct keys (linear reference)", World.DISTINCT_KEYS, 10_000, n -> Map.of());
    static final List<Case> CASES = List.of(
            new Case("hot key, max-sides-per-key above N", World.HOT_KEY, 10_000,
                    n -> Map.of("max-sides-per-key", String.valueOf(2 * (n + 1)))),
            new Case("hot key, default max-sides-per-key", World.HOT_KEY, 10_000, n -> Map.of()),
            DISTINCT_KEYS,
            new Case("one huge trace, max-spans above N", World.HUGE_TRACE, 125_000,
                    n -> Map.of("max-spans", String.valueOf(2 * n))),
            new Case("the same spans in 20,000 traces", World.SPREAD_TRACES, 125_000,
                    n -> Map.of("max-spans", String.valueOf(2 * n))));

    private static final List<String> COUNTERS = List.of("spans", "revisionsOut", "hopSidesDropped", "deadLetters");

    private HostileBenchmark() {}

    /** One run of a case at one size. */
    private record Result(int size, long records, double seconds, long heapUsedPeak, long liveHeap, long outputBytes,
                          Map<String, Long> counters, Map<String, Double> cpu) {
        double cpuSeconds() {
            return cpu.get(CpuBreakdown.PROCESS_TOTAL);
        }
    }

    static void run(double scale, int parallelism) throws Exception {
        run(scale, parallelism, CASES);
    }

    static void run(double scale, int parallelism, List<Case> cases) throws Exception {
        Path dir = Files.createTempDirectory("tracestitch-hostile");
        try {
            System.out.printf("hostile cases: scale %s, parallelism %d, max heap %d MB, JVM options %s%n", scale,
                    parallelism, Runtime.getRuntime().maxMemory() >> 20,
                    ManagementFactory.getRuntimeMXBean().getInputArguments());
            Path empty = Files.createFile(dir.resolve("empty.ndjson"));
            long baseline = Benchmark.peakLiveHeap(empty, parallelism, StitchConfig.defaults())[0];
            System.out.printf("runtime baseline (live heap of the same run on an empty file): %d MB%n", baseline >> 20);
            measure(DISTINCT_KEYS, sized(DISTINCT_KEYS.size(), scale / 10), parallelism, dir);
            List<Result[]> results = new ArrayList<>();
            for (Case c : cases) {
                int size = sized(c.size(), scale);
                Result single = measure(c, size, parallelism, dir);
                print(c, single);
                Result twice = measure(c, 2 * size, parallelism, dir);
                print(c, twice);
                results.add(new Result[] {single, twice});
            }
            System.out.printf("hostile summary: wall time, process CPU and live heap at N and 2N; growth 2N/N"
                    + " (2.00 = linear; live heap growth above the runtime baseline)%n");
            System.out.printf("  %-36s %7s %7s %7s %6s | %7s %7s %7s %6s | %5s %5s %5s%n", "case", "N", "time", "CPU",
                    "live", "2N", "time", "CPU", "live", "time×", "CPU×", "live×");
            for (int i = 0; i < cases.size(); i++) {
                Result single = results.get(i)[0];
                Result twice = results.get(i)[1];
                System.out.printf("  %-36s %s | %s | %5.2f %5.2f %5.2f%n", cases.get(i).name(), columns(single),
                        columns(twice), twice.seconds() / single.seconds(), twice.cpuSeconds() / single.cpuSeconds(),
                        (twice.liveHeap() - baseline) / (double) Math.max(1, single.liveHeap() - baseline));
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(dir);
        }
    }

    private static String columns(Result r) {
        return String.format("%7d %6.1fs %6.1fs %4dMB", r.size(), r.seconds(), r.cpuSeconds(), r.liveHeap() >> 20);
    }

    private static int sized(int size, double scale) {
        return Math.max(1, (int) Math.round(size * scale));
    }

    private static Result measure(Case c, int size, int parallelism, Path dir) throws Exception {
        Path input = dir.resolve(c.world().name().toLowerCase(Locale.ROOT) + "-" + size + ".ndjson");
        long records = HostileWorlds.write(c.world(), size, input);
        StitchConfig config = StitchConfig.from(Configuration.fromMap(c.options().apply(size)));
        Path output = dir.resolve("transactions.ndjson");
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        System.gc(); // the previous run's garbage is not this run's peak
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        AtomicReference<Map<String, Long>> counters = new AtomicReference<>();
        Benchmark.Measured timed = Benchmark.measure(() -> {
            counters.set(StitchRun.run(StitchRun.Files.of(List.of(input), output, null), config, parallelism));
            return null;
        });
        long heapUsedPeak = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        long outputBytes = Files.size(output);
        Files.delete(output);
        long liveHeap = Benchmark.peakLiveHeap(input, parallelism, config)[0];
        Files.delete(input);
        return new Result(size, records, timed.seconds(), heapUsedPeak, liveHeap, outputBytes, counters.get(), timed.cpu());
    }

    private static void print(Case c, Result r) {
        String counters = COUNTERS.stream().map(name -> name + " " + r.counters().getOrDefault(name, 0L))
                .collect(Collectors.joining(", "));
        // The four busiest stages, then JIT, GC and the process total (the breakdown's last three).
        List<Map.Entry<String, Double>> cpu = new ArrayList<>(r.cpu().entrySet());
        List<Map.Entry<String, Double>> shown = new ArrayList<>(cpu.subList(0, Math.min(4, cpu.size() - 3)));
        shown.addAll(cpu.subList(cpu.size() - 3, cpu.size()));
        System.out.printf("%s, N = %d: %d records, %.1f s, live heap %d MB (heap used up to %d MB, garbage included),"
                        + " output %.1f MB, %s%n    CPU s: %s%n", c.name(), r.size(), r.records(), r.seconds(),
                r.liveHeap() >> 20, r.heapUsedPeak() >> 20, r.outputBytes() / 1e6, counters,
                shown.stream().map(e -> String.format("%s %.1f", e.getKey(), e.getValue()))
                        .collect(Collectors.joining(", ")));
    }
}
