package io.tracestitch.jobs.tools;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.config.RunOptions;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.NdjsonFileFormat;
import io.tracestitch.jobs.StitchRun;
import io.tracestitch.jobs.PathChecks;
import io.tracestitch.jobs.TraceStitch;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.Span;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.ParseFunction;
import io.tracestitch.operators.ingest.RecordParser;

import java.io.BufferedReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * The speed benchmark: on one input file, (a) parsing alone without Flink; (b) the yardstick, a
 * minimal two-stage keyed Flink pipeline (parse → keyBy trace with a gap timer and one summary per
 * trace → keyBy message reference pairing publishers with receivers → discard; logs keyed by
 * request id in the first stage); (c) the real {@code stitch} end to end with full output; (b2) the
 * span yardstick ({@link SpanYardstick}), which moves the spans the job must move: buffered per
 * trace, across a second keyed exchange, written out as JSON lines. (b2) runs after (c), so (a),
 * (b) and (c) run as they always have.
 *
 * <p>{@code --cold} runs each of (b), (b2) and (c) in a fresh JVM of its own (same JVM options),
 * which is what a user's {@code stitch} is; round 1 of the usual run is a fresh JVM only for (a).
 * {@code --only} runs one measurement, in this JVM or with {@code --cold} in a fresh one.
 *
 * <p>{@code --memory} instead measures live heap per buffered span: {@code stitch} runs while a
 * sampler forces a GC every half second and records the highest live heap; a bounded run keeps
 * every trace's content until the end of input, so at the peak every span of the file is held.
 * The runtime's own live heap (the same run on an empty file) is subtracted; as a check that no
 * fixed cost hides in that, the marginal cost between the first half of the file and all of it is
 * printed too.
 *
 * <p>{@code --hostile} runs {@link HostileBenchmark} on generated worlds instead of an input file.
 *
 * <pre>bench --input file [--parallelism 2] [--rounds 3] [--cold] [--only a|b|c|b2]
 * bench --input file [--parallelism 2] --memory
 * bench --hostile [--scale 1] [--parallelism 2]</pre>
 */
public final class Benchmark {

    /** The measurements of one round, in the order they run. */
    public enum Measurement {
        PARSE("a", "parse"), YARDSTICK("b", "yardstick"), STITCH("c", "stitch"), SPAN_YARDSTICK("b2", "span yardstick");

        final String id;
        final String label;

        Measurement(String id, String label) {
            this.id = id;
            this.label = label;
        }

        public static Measurement of(String id) {
            for (Measurement m : values()) {
                if (m.id.equals(id)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--only takes a, b, c or b2, not " + id);
        }
    }

    private static final List<Measurement> COLD = List.of(Measurement.YARDSTICK, Measurement.SPAN_YARDSTICK,
            Measurement.STITCH);
    /** How a child's report gives what its one measurement took (the header and last line of its CPU breakdown). */
    private static final Pattern WALL_SECONDS = Pattern.compile("CPU seconds of \\((\\w+)\\), ([0-9.]+) s wall");
    private static final Pattern PROCESS_CPU_SECONDS =
            Pattern.compile("([0-9.]+) s  " + Pattern.quote(CpuBreakdown.PROCESS_TOTAL) + "$");

    private Benchmark() {}

    /**
     * {@code rounds} rounds of the speed benchmark on {@code input}: every measurement (or only
     * {@code only}, if not null) in this JVM, or with {@code cold} each of (b), (b2) and (c) (or only
     * {@code only}) in a fresh JVM of its own.
     */
    public static void speed(Path input, int parallelism, int rounds, Measurement only, boolean cold) throws Exception {
        Path file = PathChecks.inputFiles(List.of(input)).get(0);
        long records = header(file, parallelism);
        List<Measurement> measurements = only != null ? List.of(only) : cold ? COLD : List.of(Measurement.values());
        for (int round = 1; round <= rounds; round++) {
            Map<Measurement, Cost> costs = new EnumMap<>(Measurement.class);
            StringBuilder cpu = new StringBuilder();
            if (cold) {
                for (Measurement m : measurements) {
                    costs.put(m, inFreshJvm(m, file, parallelism));
                }
            } else {
                for (Measurement m : measurements) {
                    Measured measured = measure(() -> run(m, file, parallelism));
                    costs.put(m, new Cost(measured.seconds(), measured.cpu().get(CpuBreakdown.PROCESS_TOTAL)));
                    if (m != Measurement.PARSE) {
                        cpu.append(String.format("  CPU seconds of (%s), %.2f s wall:%n%s", m.id, measured.seconds(),
                                CpuBreakdown.format(measured.cpu())));
                    }
                }
            }
            System.out.printf("round %d%s:%s%s%n%s", round, cold ? " (each in a fresh JVM)" : round == 1 ? " (cold JVM)" : "",
                    rates(costs, records), ratios(costs), cpu);
        }
    }

    /** Live heap per buffered span, two ways (see the class comment). */
    public static void memory(Path input, int parallelism) throws Exception {
        Path file = PathChecks.inputFiles(List.of(input)).get(0);
        long records = header(file, parallelism);
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
    }

    /** The hostile cases at {@code scale} × their default sizes: see {@link HostileBenchmark}. */
    public static void hostile(double scale, int parallelism) throws Exception {
        HostileBenchmark.run(scale, parallelism);
    }

    private static long header(Path file, int parallelism) throws Exception {
        long records;
        try (var lines = Files.lines(file)) {
            records = lines.count();
        }
        System.out.printf("benchmark: %s, %d records, parallelism %d%n", file, records, parallelism);
        return records;
    }

    /** What one measurement took: wall seconds, and CPU seconds of the whole process. */
    private record Cost(double wallSeconds, double cpuSeconds) {}

    private static Object run(Measurement measurement, Path file, int parallelism) throws Exception {
        return switch (measurement) {
            case PARSE -> parseOnly(file);
            case YARDSTICK -> yardstick(file, parallelism);
            case STITCH -> withOutputFile(out -> StitchRun.run(StitchRun.Files.of(List.of(file), out, null),
                    StitchConfig.defaults(), parallelism));
            case SPAN_YARDSTICK -> withOutputFile(out -> SpanYardstick.run(file, out, parallelism));
        };
    }

    private interface WritesTo {
        Object run(Path out) throws Exception;
    }

    private static Object withOutputFile(WritesTo work) throws Exception {
        Path out = Files.createTempFile("tracestitch-bench", ".ndjson");
        try {
            return work.run(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String rates(Map<Measurement, Cost> costs, long records) {
        StringBuilder text = new StringBuilder();
        costs.forEach((m, cost) -> text.append(
                String.format("  (%s) %s %.0f rec/s", m.id, m.label, records / cost.wallSeconds())));
        return text.toString();
    }

    /**
     * (c) against each yardstick as a ratio of rates (1 means as fast as the yardstick), then the same
     * by process CPU seconds, which other load on the machine disturbs less than wall time.
     */
    private static String ratios(Map<Measurement, Cost> costs) {
        StringBuilder byWall = new StringBuilder();
        StringBuilder byCpu = new StringBuilder();
        Cost stitch = costs.get(Measurement.STITCH);
        for (Measurement yardstick : List.of(Measurement.YARDSTICK, Measurement.SPAN_YARDSTICK)) {
            Cost other = costs.get(yardstick);
            if (stitch != null && other != null) {
                byWall.append(String.format("  c/%s %.2f", yardstick.id, other.wallSeconds() / stitch.wallSeconds()));
                byCpu.append(String.format("  c/%s %.2f", yardstick.id, other.cpuSeconds() / stitch.cpuSeconds()));
            }
        }
        return byWall.isEmpty() ? "" : byWall + "  by CPU:" + byCpu;
    }

    /**
     * Runs one measurement as round 1 of a child {@code bench --only} in a fresh JVM with this JVM's
     * options and class path, echoes its report and returns what it took.
     */
    private static Cost inFreshJvm(Measurement measurement, Path input, int parallelism) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), TraceStitch.class.getName(), "bench",
                "--input", input.toString(), "--parallelism", String.valueOf(parallelism), "--rounds", "1",
                "--only", measurement.id));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        double wallSeconds = Double.NaN;
        double cpuSeconds = Double.NaN;
        try (BufferedReader report = child.inputReader(StandardCharsets.UTF_8)) {
            for (String line = report.readLine(); line != null; line = report.readLine()) {
                System.out.println("  | " + line);
                Matcher wall = WALL_SECONDS.matcher(line);
                if (wall.find() && wall.group(1).equals(measurement.id)) {
                    wallSeconds = Double.parseDouble(wall.group(2));
                }
                Matcher processCpu = PROCESS_CPU_SECONDS.matcher(line);
                if (processCpu.find()) {
                    cpuSeconds = Double.parseDouble(processCpu.group(1));
                }
            }
        }
        if (child.waitFor() != 0 || Double.isNaN(wallSeconds) || Double.isNaN(cpuSeconds)) {
            throw new IllegalStateException("bench --only " + measurement.id + " in a fresh JVM failed");
        }
        return new Cost(wallSeconds, cpuSeconds);
    }

    /**
     * Highest live heap (after forced GCs every half second) while {@code stitch} runs, and the
     * spans it read. The same run on an empty file gives the fixed cost of the runtime itself.
     */
    static long[] peakLiveHeap(Path input, int parallelism, StitchConfig config) throws Exception {
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
        Map<String, Long> counters = StitchRun.run(StitchRun.Files.of(List.of(input), out, null),
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

    interface Work {
        Object run() throws Exception;
    }

    record Measured(double seconds, Map<String, Double> cpu) {}

    static Measured measure(Work work) throws Exception {
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
        try (StreamFormat.Reader<FileLine> lines = new NdjsonFileFormat(RecordFormat.NDJSON).createReader(new Configuration(),
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
        StreamExecutionEnvironment env = environment(parallelism);
        Parsed parsed = parse(env, input);
        DataStream<String[]> references = parsed.spans()
                .map(Benchmark::traceAndReferences)
                .returns(Types.OBJECT_ARRAY(Types.STRING))
                .union(parsed.logs().map(l -> new String[] {l.tenant() + "/" + l.line().requestId()})
                        .returns(Types.OBJECT_ARRAY(Types.STRING)))
                .keyBy(k -> k[0])
                .process(new GapSummary())
                .returns(Types.OBJECT_ARRAY(Types.STRING));
        references.keyBy(r -> r[0]).process(new Pairing()).sinkTo(new DiscardingSink<>());
        return env.execute("TraceStitch yardstick");
    }

    /** The embedded environment of both yardsticks, configured as {@code stitch} configures its own. */
    static StreamExecutionEnvironment environment(int parallelism) {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        flink.set(PipelineOptions.OBJECT_REUSE, true);
        return StreamExecutionEnvironment.createLocalEnvironment(parallelism, flink);
    }

    record Parsed(DataStream<Span> spans, DataStream<LogFact> logs) {}

    /** The yardsticks' input: the job's file source and parser, with event-time watermarks. */
    static Parsed parse(StreamExecutionEnvironment env, Path input) {
        var parsed = StitchRun.readLines(env, List.of(input))
                .process(new ParseFunction(RecordFormat.NDJSON, RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue()));
        Duration outOfOrderness = Duration.ofSeconds(10);
        DataStream<Span> spans = parsed.assignTimestampsAndWatermarks(
                WatermarkStrategy.<Span>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((s, t) -> s.eventTimeMs()));
        DataStream<LogFact> logs = parsed.getSideOutput(ParseFunction.LOGS).assignTimestampsAndWatermarks(
                WatermarkStrategy.<LogFact>forBoundedOutOfOrderness(outOfOrderness)
                        .withTimestampAssigner((l, t) -> l.timestampMs()));
        return new Parsed(spans, logs);
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
