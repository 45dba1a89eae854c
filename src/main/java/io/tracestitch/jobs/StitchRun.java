package io.tracestitch.jobs;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.config.RunOptions;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.FileLineFunction;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * One bounded stitching run over local files on an embedded MiniCluster: the {@code stitch}
 * command, the demo and the tests all go through here.
 */
public final class StitchRun {

    /**
     * Highest parallelism a run accepts. The embedded MiniCluster's network buffers (64 MB, 2048 of
     * 32 KB), which each keyed exchange needs more of as parallelism grows, last up to 11 on this
     * graph and run out at 12 ("Insufficient number of network buffers"); 8 leaves room for another
     * stage (README, "Parallelism range").
     */
    public static final int MAX_PARALLELISM = 8;

    /**
     * What a run reads and writes: native NDJSON files, OTLP files (JSON lines or length-prefixed
     * protobuf, told apart per file), the transactions file, the dead-letter file, which may be null
     * (then they are only counted), the OTLP/JSON lines of the transactions, which may be null (then
     * none are written); and the attribute that names an OTLP span's tenant.
     */
    public record Files(List<Path> inputs, List<Path> otlpInputs, Path transactions, Path deadLetters,
            Path otlpOutput, String otlpTenantAttribute) {

        /** Native files only, taken as they are (tools and tests that made them). */
        public static Files of(List<Path> inputs, Path transactions, Path deadLetters) {
            return new Files(inputs, List.of(), transactions, deadLetters, null,
                    RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue());
        }

        /** Native files in, no OTLP out. */
        public static Files checked(List<Path> inputs, Path transactions, Path deadLetters) throws IOException {
            return checked(inputs, List.of(), transactions, deadLetters, null,
                    RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue());
        }

        /**
         * The files of a run given as the user names them: input directories are expanded to the
         * regular files directly inside them, and every rule of {@link PathChecks} is checked, over
         * native and OTLP inputs together, before anything is opened for writing.
         *
         * @throws UnreadableInputException an input does not exist or cannot be read
         * @throws IllegalArgumentException a usage error: an input given twice, or an output that
         *     would destroy an input, lie among the inputs, collide with the other output or cannot be written
         */
        public static Files checked(List<Path> inputs, List<Path> otlpInputs, Path transactions, Path deadLetters,
                Path otlpOutput, String otlpTenantAttribute) throws IOException {
            List<Path> all = new ArrayList<>(inputs);
            all.addAll(otlpInputs);
            List<Path> allFiles = PathChecks.inputFiles(all);
            Map<String, Path> outputByOption = new LinkedHashMap<>();
            outputByOption.put("--output", transactions);
            outputByOption.put("--dead-letter", deadLetters);
            outputByOption.put("--otlp-output", otlpOutput);
            PathChecks.checkOutputs(all, allFiles, outputByOption);
            return new Files(PathChecks.inputFiles(inputs), PathChecks.inputFiles(otlpInputs), transactions, deadLetters,
                    otlpOutput, otlpTenantAttribute);
        }

        public int fileCount() {
            return inputs.size() + otlpInputs.size();
        }
    }

    private StitchRun() {}

    /**
     * Runs to the end of input and returns the job's counters by name, sorted. Submitted detached
     * (a cluster's REST or web submission), it returns as soon as the job is accepted, with no
     * counters: they are the job's accumulators and metrics on the cluster.
     */
    public static Map<String, Long> run(Files files, StitchConfig config, int parallelism) throws Exception {
        if (files.fileCount() == 0) {
            // Only empty input directories: nothing to stitch, and Flink's file source refuses an empty list.
            for (Path output : java.util.Arrays.asList(files.transactions(), files.deadLetters(), files.otlpOutput())) {
                if (output != null) {
                    java.nio.file.Files.write(output, new byte[0]);
                }
            }
            return new TreeMap<>();
        }
        Configuration flink = new Configuration();
        // Every type in the graph has a Flink serializer of its own; a Kryo fallback is a bug.
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        flink.set(PipelineOptions.OBJECT_REUSE, true); // records are immutable or copied before change
        // Embedded MiniCluster under `java -jar`; the cluster's own environment under `flink run`.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(parallelism);

        List<StitchingPipeline.Records> records = new ArrayList<>();
        DataStream<DeadLetter> unreadable = null;
        Map<RecordFormat, List<Path>> byFormat = new EnumMap<>(RecordFormat.class);
        if (!files.inputs().isEmpty()) {
            byFormat.put(RecordFormat.NDJSON, files.inputs());
        }
        for (Path otlp : files.otlpInputs()) {
            byFormat.computeIfAbsent(otlpFormatOf(otlp), format -> new ArrayList<>()).add(otlp);
        }
        for (Map.Entry<RecordFormat, List<Path>> input : byFormat.entrySet()) {
            SingleOutputStreamOperator<byte[]> read = readRecords(env, input.getValue(), input.getKey());
            records.add(new StitchingPipeline.Records(read, input.getKey()));
            DataStream<DeadLetter> failed = read.getSideOutput(DeadLetters.TAG);
            unreadable = unreadable == null ? failed : unreadable.union(failed);
        }
        StitchingPipeline.Outputs out = StitchingPipeline.build(records, files.otlpTenantAttribute(), config);
        out.transactions().map(TransactionRevision::line).name("Transaction lines")
                .sinkTo(new LineFileSink(files.transactions()))
                .setParallelism(1).uid("transactions-file").name("Write transactions");
        if (files.otlpOutput() != null) {
            StitchingPipeline.otlp(out.transactions(), config, OtlpEncoding.OTLP_JSON)
                    .map(TopicRecord::value).name("OTLP lines")
                    .sinkTo(new LineFileSink(files.otlpOutput()))
                    .setParallelism(1).uid("otlp-file").name("Write OTLP");
        }
        DataStream<byte[]> deadLetterLines = out.deadLetters().union(unreadable)
                .map(DeadLetter::toJson).name("Dead letter JSON");
        if (files.deadLetters() != null) {
            deadLetterLines.sinkTo(new LineFileSink(files.deadLetters()))
                    .setParallelism(1).uid("dead-letter-file").name("Write dead letters");
        } else {
            deadLetterLines.sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>())
                    .name("Discard dead letters");
        }
        JobExecutionResult result = env.execute("TraceStitch stitch");
        Map<String, Long> counters = new TreeMap<>();
        if (result instanceof DetachedJobExecutionResult) {
            System.out.println("tracestitch: submitted detached as job " + result.getJobID());
            return counters;
        }
        result.getAllAccumulatorResults().forEach((name, value) -> counters.put(name, ((Number) value).longValue()));
        return counters;
        }

    /** The native input files' lines as UTF-8 records: see {@link #readRecords}. */
    public static SingleOutputStreamOperator<byte[]> readLines(StreamExecutionEnvironment env, List<Path> inputs) {
        return readRecords(env, inputs, RecordFormat.NDJSON);
    }

    /**
     * The records of files in one format: lines ({@link NdjsonFileFormat}) or length-prefixed OTLP
     * protobuf messages ({@link OtlpProtoFileFormat}). Records the file format could not read (too
     * long, not decodable, truncated) leave as dead letters on the {@link DeadLetters#TAG} side output.
     */
    public static SingleOutputStreamOperator<byte[]> readRecords(StreamExecutionEnvironment env, List<Path> inputs,
            RecordFormat format) {
        org.apache.flink.core.fs.Path[] paths = inputs.stream().map(p -> new org.apache.flink.core.fs.Path(p.toUri()))
                .toArray(org.apache.flink.core.fs.Path[]::new);
        FileSource<FileLine> source = FileSource.forRecordStreamFormat(format == RecordFormat.OTLP_PROTO
                ? new OtlpProtoFileFormat() : new NdjsonFileFormat(format), paths).build();
        String suffix = format == RecordFormat.NDJSON ? "" : "-" + format.text();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "Input files" + (suffix.isEmpty() ? "" : " " + format.text()))
                .uid("input-files" + suffix)
                .process(new FileLineFunction()).uid("read-lines" + suffix).name("Read " + (suffix.isEmpty() ? "lines" : format.text()));
    }

    /**
     * How an OTLP file is encoded, as the Collector's file exporter writes it: JSON lines when its
     * first character (after a UTF-8 byte-order mark and whitespace) is {@code {}, else protobuf.
     * A protobuf file cannot start so: its first length prefix would be over 2 GB (0x7B…), and
     * whitespace bytes over 8 MiB, both refused.
     */
    public static RecordFormat otlpFormatOf(Path file) throws IOException {
        byte[] head;
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            head = in.readNBytes(4096);
        }
        int i = head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF ? 3 : 0;
        while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        return i == head.length || head[i] == '{' ? RecordFormat.OTLP_JSON : RecordFormat.OTLP_PROTO;
    }
}
