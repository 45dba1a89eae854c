package io.tracestitch.jobs.tools;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.NdjsonFileFormat;
import io.tracestitch.jobs.StitchRun;
import io.tracestitch.jobs.PathChecks;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.Span;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.ParseFunction;
import io.tracestitch.operators.ingest.RecordParser;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * The speed benchmark: on one input file, (a) parsing alone without Flink, (b) the yardstick, a
 * minimal two-stage keyed Flink pipeline (parse → keyBy trace with a gap timer and one summary per
 * trace → keyBy message reference pairing publishers with receivers → discard; logs keyed by
 * request id in the first stage), and (c) the real {@code stitch} end to end with full output.
 *
 * <p>{@code --memory} instead measures live heap per buffered span: {@code stitch} runs while a
 * sampler forces a GC every half second and records the highest live heap; a bounded run keeps
 * every trace's content until the end of input, so at the peak every span of the file is held.
 * The runtime's own live heap (the same run on an empty file) is subtracted; as a check that no
 * fixed cost hides in that, the marginal cost between the first half of the file and all of it is
 * printed too.
 *
 * <pre>bench --input file [--parallelism 2] [--rounds 3] [--memory]</pre>
 */
public final class Benchmark {

    private Benchmark() {}

    /** Runs {@code rounds} of the speed benchmark on {@code input}, or with {@code memory} the memory one. */
    public static void run(Path input, int parallelism, int rounds, boolean memory) throws Exception {
        Path file = PathChecks.inputFiles(List.of(input)).get(0);
        long records;
        try (var lines = Files.lines(file)) {
            records = lines.count();
        }
        System.out.printf("benchmark: %s, %d records, parallelism %d%n", input, records, parallelism);
        if (memory) {
            Path empty = Files.createTempFile("tracestitch-empty", ".ndjson");
            long baseline = peakLiveHeap(empty, parallelism, StitchConfig.defaults())[0];
            Files.delete(empty);
            Path half = Files.createTempFile("tracestitch-half", ".ndjson");
            try (var lines = Files.lines(file)) {
                Files.write(half, (Iterable<String>) lines.limit(records / 2)::iterator);
            }
            // With a gap longer than the input, every span waits in the trace buffer until the end.
            measureMemory(file, half, parallelism, StitchConfig.from(Configuration.fromMap(
                    Map.of("gap", "1000d"))), baseline);
            measureMemory(file, half, parallelism, StitchConfig.defaults(), baseline);
            Files.delete(half);
            return;
        }
        for (int round = 1; round <= rounds; round++) {
            double a = measure(() -> parseOnly(file)).seconds();
            Measured b = measure(() -> yardstick(file, parallelism));
            Path out = Files.createTempFile("tracestitch-bench", ".ndjson");
            Measured c = measure(() -> StitchRun.run(new StitchRun.Files(List.of(file), out, null),
                    StitchConfig.defaults(), parallelism));
            Files.deleteIfExists(out);
            System.out.printf("round %d%s: (a) parse %.0f rec/s  (b) yardstick %.0f rec/s  (c) stitch %.0f rec/s"
                            + "  c/b %.2f%n", round, round == 1 ? " (cold JVM)" : "", records / a,
                    records / b.seconds(), records / c.seconds(), b.seconds() / c.seconds());
            System.out.printf("  CPU seconds of (b), %.1f s wall:%n%s  CPU seconds of (c), %.1f s wall:%n%s",
                    b.seconds(), CpuBreakdown.format(b.cpu()), c.seconds(), CpuBreakdown.format(c.cpu()));
        }
    }

    /**
     * Highest live heap (after forced GCs every half second) while {@code stitch} runs, and the
     * spans it read. The same run on an empty file gives the fixed cost of the runtime itself.
     */
    private static long[] peakLiveHeap(Path input, int parallelism, StitchConfig config) throws Exception {
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null).toList();
        settle(heapPools);
        long[] highest = {0};
        List<GarbageCollectorMXBean> fullCollectors =
                ManagementFactory.getGarbageCollectorMXBeans().stream()
                        .filter(gc -> gc.getName().contains("Old") || gc.getName().contains("MarkSweep")).toList();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                long before = fullCollections(fullCollectors);
                System.gc();
                // A thread inside a JNI critical region makes the JVM skip the requested full
                // collection; what is "used" then includes garbage, so that sample does not count.
                if (fullCollectors.isEmpty() || fullCollections(fullCollectors) > before) {
                    highest[0] = Math.max(highest[0], liveAfterCollection(heapPools));
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "live-heap-sampler");
        Path out = Files.createTempFile("tracestitch-bench", ".ndjson");
        sampler.start();
        Map<String, Long> counters = StitchRun.run(new StitchRun.Files(List.of(input), out, null),
                config, parallelism);
        sampler.interrupt();
        sampler.join();
        Files.deleteIfExists(out);
        return new long[] {highest[0], counters.getOrDefault("spans", 0L)};
    }

    /**
     * Waits until the previous run's state is collectable: a finished job's runtime lets go of it a
     * little after the run returns, and a sample taken before that would count it again.
     */
    private static void settle(List<MemoryPoolMXBean> heapPools) throws InterruptedException {
        long previous = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 20; attempt++) {
            System.gc();
            long live = liveAfterCollection(heapPools);
            if (previous - live < 1 << 20) {
                return;
            }
            previous = live;
            Thread.sleep(250);
        }
    }

    /** What the last collection left, not the heap now: the job allocates on while the sampler reads. */
    private static long liveAfterCollection(List<MemoryPoolMXBean> heapPools) {
        return heapPools.stream().mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum();
    }

    private static long fullCollections(List<GarbageCollectorMXBean> collectors) {
        return collectors.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    /**
     * Prints live heap per buffered span two ways: above the runtime's own (the empty run), and the
     * marginal cost between the first half of the input and all of it, which no fixed cost enters.
     */
    private static void measureMemory(Path input, Path half, int parallelism, StitchConfig config, long baseline)
            throws Exception {
        long[] peak = peakLiveHeap(input, parallelism, config);
        long[] halfPeak = peakLiveHeap(half, parallelism, config);
        System.out.printf("gap %d ms: highest live heap %.0f MB (first half of the input: %.0f MB), runtime baseline"
                        + " %.0f MB, %d spans buffered at the end of input (first half: %d)%n"
                        + "  => %.0f bytes of live heap per buffered span above the runtime baseline,"
                        + " %.0f bytes marginal (half to full input)%n", config.gapMs(),
                peak[0] / 1e6, halfPeak[0] / 1e6, baseline / 1e6, peak[1], halfPeak[1],
                (peak[0] - baseline) / (double) peak[1], (peak[0] - halfPeak[0]) / (double) (peak[1] - halfPeak[1]));
    }

    private interface Work {
        Object run() throws Exception;
    }

    private record Measured(double seconds, Map<String, Double> cpu) {}

    private static Measured measure(Work work) throws Exception {
        try (CpuBreakdown cpu = new CpuBreakdown()) {
            long start = System.nanoTime();
            work.run();
            return new Measured((System.nanoTime() - start) / 1e9, cpu.seconds());
        }
    }

    static long parseOnly(Path input) throws Exception {
        RecordParser parser = new RecordParser();
        long[] count = new long[1];
        RecordParser.Output out = new RecordParser.Output() {
            @Override
            public void span(Span span) {
                count[0]++;
            }

            @Override
            public void log(LogFact log) {
                count[0]++;
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {}

            @Override
            public void ignored() {}
        };
        // The job's own file format, without Flink around it: reading is part of what parsing costs.
        try (StreamFormat.Reader<FileLine> lines = new NdjsonFileFormat().createReader(new Configuration(),
                FileSystem.getLocalFileSystem().open(new org.apache.flink.core.fs.Path(input.toUri())))) {
            for (FileLine line = lines.read(); line != null; line = lines.read()) {
                if (line.utf8() != null) {
                    parser.parse(line.utf8(), out);
                }
            }
        }
        return count[0];
    }

    static Object yardstick(Path input, int parallelism) throws Exception {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        flink.set(PipelineOptions.OBJECT_REUSE, true);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
        var parsed = StitchRun.readLines(env, List.of(input)).process(new ParseFunction());
        Duration outOfOrderness = Duration.ofSeconds(10);
        DataStream<Span> spans = parsed.assignTimestampsAndWatermarks(
                WatermarkStrategy.<Span>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((s, t) -> s.eventTimeMs()));
        DataStream<LogFact> logs = parsed.getSideOutput(ParseFunction.LOGS).assignTimestampsAndWatermarks(
                WatermarkStrategy.<LogFact>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((l, t) -> l.timestampMs()));
        DataStream<String[]> references = spans
                .map(Benchmark::traceAndReferences)
                .returns(Types.OBJECT_ARRAY(Types.STRING))
                .union(logs.map(l -> new String[] {l.tenant() + "/" + l.line().requestId()})
                        .returns(Types.OBJECT_ARRAY(Types.STRING)))
                .keyBy(k -> k[0])
                .process(new GapSummary())
                .returns(Types.OBJECT_ARRAY(Types.STRING));
        references.keyBy(r -> r[0]).process(new Pairing()).sinkTo(new DiscardingSink<>());
        return env.execute("TraceStitch yardstick");
    }

    private static String[] traceAndReferences(Span span) {
        String[] out = new String[1 + span.messages().length];
        out[0] = span.tenant() + "/" + span.traceId();
        for (int i = 0; i < span.messages().length; i++) {
            out[i + 1] = span.messages()[i].joinKey().toString();
        }
        return out;
    }

    /**
     * Yardstick stage 1: buffers each key's message references, one event-time gap timer per key,
     * then one summary per key: its distinct references, each sent on to be paired.
     */
    private static final class GapSummary extends KeyedProcessFunction<String, String[], String[]> {
        private transient ListState<String> buffer;
        private transient ValueState<Long> timer;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            buffer = getRuntimeContext().getListState(new ListStateDescriptor<>("buffer", Types.STRING));
            timer = getRuntimeContext().getState(new ValueStateDescriptor<>("timer", Types.LONG));
        }

        @Override
        public void processElement(String[] in, Context ctx, Collector<String[]> out) throws Exception {
            for (int i = 1; i < in.length; i++) {
                buffer.add(in[i]);
            }
            long due = ctx.timestamp() + 30_000;
            Long current = timer.value();
            if (current == null || due > current) {
                if (current != null) {
                    ctx.timerService().deleteEventTimeTimer(current);
                }
                ctx.timerService().registerEventTimeTimer(due);
                timer.update(due);
            }
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String[]> out) throws Exception {
            Set<String> references = new HashSet<>();
            for (String reference : buffer.get()) {
                if (references.add(reference)) {
                    out.collect(new String[] {reference, ctx.getCurrentKey()});
                }
            }
            buffer.clear();
            timer.clear();
        }
    }

    /** Yardstick stage 2: keyed by message reference, pairs the first trace with every later one. */
    private static final class Pairing extends KeyedProcessFunction<String, String[], String> {
        private transient ValueState<String> first;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            first = getRuntimeContext().getState(new ValueStateDescriptor<>("first", Types.STRING));
        }

        @Override
        public void processElement(String[] in, Context ctx, Collector<String> out) throws Exception {
            if (first.value() == null) {
                first.update(in[1]);
            } else {
                out.collect(in[0]);
            }
        }
    }
}
