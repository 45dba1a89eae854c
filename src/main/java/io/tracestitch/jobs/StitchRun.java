package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.ingest.FileLine;
import io.tracestitch.operators.ingest.FileLineFunction;

import java.io.IOException;
import java.nio.file.Path;
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
     * What a run reads and writes. {@code deadLetters} may be null (then they are only counted);
     * {@code otlp}, the OTLP/JSON lines of the transactions, may be null (then none are written).
     */
    public record Files(List<Path> inputs, Path transactions, Path deadLetters, Path otlp) {

        public Files(List<Path> inputs, Path transactions, Path deadLetters) {
            this(inputs, transactions, deadLetters, null);
        }

        /**
         * The files of a run given as the user names them: input directories are expanded to the
         * regular files directly inside them, and every rule of {@link PathChecks} is checked before
         * anything is opened for writing.
         *
         * @throws UnreadableInputException an input does not exist or cannot be read
         * @throws IllegalArgumentException a usage error: an input given twice, or an output that
         *     would destroy an input, lie among the inputs, collide with the other output or cannot be written
         */
        public static Files checked(List<Path> inputs, Path transactions, Path deadLetters, Path otlp)
                throws IOException {
            List<Path> inputFiles = PathChecks.inputFiles(inputs);
            Map<String, Path> outputByOption = new LinkedHashMap<>();
            outputByOption.put("--output", transactions);
            outputByOption.put("--dead-letter", deadLetters);
            outputByOption.put("--otlp-output", otlp);
            PathChecks.checkOutputs(inputs, inputFiles, outputByOption);
            return new Files(inputFiles, transactions, deadLetters, otlp);
        }
    }

    private StitchRun() {}

    /**
     * Runs to the end of input and returns the job's counters by name, sorted. Submitted detached
     * (a cluster's REST or web submission), it returns as soon as the job is accepted, with no
     * counters: they are the job's accumulators and metrics on the cluster.
     */
    public static Map<String, Long> run(Files files, StitchConfig config, int parallelism) throws Exception {
        if (files.inputs().isEmpty()) {
            // Only empty input directories: nothing to stitch, and Flink's file source refuses an empty list.
            for (Path output : java.util.Arrays.asList(files.transactions(), files.deadLetters(), files.otlp())) {
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

        SingleOutputStreamOperator<byte[]> lines = readLines(env, files.inputs());
        StitchingPipeline.Outputs out = StitchingPipeline.build(lines, config);
        out.transactions().map(TransactionRevision::line).name("Transaction lines")
                .sinkTo(new LineFileSink(files.transactions()))
                .setParallelism(1).uid("transactions-file").name("Write transactions");
        if (files.otlp() != null) {
            StitchingPipeline.otlp(out.transactions(), config, OtlpEncoding.OTLP_JSON)
                    .map(TopicRecord::value).name("OTLP lines")
                    .sinkTo(new LineFileSink(files.otlp()))
                    .setParallelism(1).uid("otlp-file").name("Write OTLP");
        }
        DataStream<byte[]> deadLetterLines = out.deadLetters().union(lines.getSideOutput(DeadLetters.TAG))
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

    /**
     * The input files' lines as UTF-8 records ({@link NdjsonFileFormat}). Lines the format could not
     * read (too long, or not decodable) leave as dead letters on the {@link DeadLetters#TAG} side output.
     */
    public static SingleOutputStreamOperator<byte[]> readLines(StreamExecutionEnvironment env, List<Path> inputs) {
        FileSource<FileLine> source = FileSource.forRecordStreamFormat(new NdjsonFileFormat(),
                inputs.stream().map(p -> new org.apache.flink.core.fs.Path(p.toUri())).toArray(
                        org.apache.flink.core.fs.Path[]::new)).build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "Input files").uid("input-files")
                .process(new FileLineFunction()).uid("read-lines").name("Read lines");
    }
}
