package io.tracestitch.jobs.cli;

import io.tracestitch.config.RunOptions;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.config.StitchOptions;
import io.tracestitch.jobs.StitchRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code stitch}: one bounded run over files on the embedded MiniCluster. Besides its own options
 * it takes one {@code --<key> <value>} per stitching setting, made from {@link StitchOptions#ALL}.
 */
@Command(name = "stitch", sortOptions = false, sortSynopsis = false,
        description = "Stitch NDJSON spans, OTLP spans and Lambda log lines into transactions on an embedded Flink MiniCluster.")
final class StitchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "<file|dir>",
            description = "Native NDJSON: a file, or a directory whose regular files (not sub-directories) are all "
                    + "read. Repeatable.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--otlp", paramLabel = "<file|dir>",
            description = "OTLP traces as the OpenTelemetry Collector's file exporter writes them, JSON lines or "
                    + "length-prefixed protobuf (told apart per file): a file or a directory, as for --input. "
                    + "Repeatable. At least one --input or --otlp is required.")
    List<Path> otlpInputs = new ArrayList<>();

    @Option(names = "--otlp-tenant-attribute", paramLabel = "<name>",
            description = "The span or resource attribute that names an OTLP span's tenant. Default: cloud.account.id.")
    String otlpTenantAttribute = RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue();

    @Option(names = "--output", required = true, paramLabel = "<file>",
            description = "The transactions file (NDJSON, overwritten).")
    Path output;

    @Option(names = "--dead-letter", paramLabel = "<file>",
            description = "The dead-letter file (NDJSON, overwritten). Without it dead letters are only counted.")
    Path deadLetters;

    @Option(names = "--otlp-output", paramLabel = "<file>",
            description = "Also write the transactions as OpenTelemetry traces: OTLP/JSON lines (overwritten), "
                    + "one ExportTraceServiceRequest per line, as the Collector's file exporter writes them.")
    Path otlpOutput;

    @Option(names = "--parallelism", paramLabel = "N", converter = IntRange.Positive.class,
            description = "On the embedded MiniCluster from 1 to " + StitchRun.MAX_PARALLELISM + "; on a Flink "
                    + "cluster whatever its slots allow. Default: the number of cores, at most 4.")
    Integer parallelism;

    @Option(names = "--no-spans", description = "Same as --include-spans false.")
    boolean noSpans;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new StitchCommand());
        for (ConfigOption<?> option : StitchOptions.ALL) {
            commandLine.getCommandSpec().addOption(OptionSpec.builder(name(option))
                    .paramLabel(StitchOptions.kindOf(option).label)
                    .type(String.class)
                    .description(StitchOptions.description(option) + " Default: " + StitchOptions.defaultText(option) + ".")
                    .build());
        }
        return commandLine;
    }

    @Override
    public Integer call() throws Exception {
        StitchConfig config;
        StitchRun.Files files;
        try {
            config = StitchConfig.fromText(stitchOptionsGiven());
            if (inputs.isEmpty() && otlpInputs.isEmpty()) {
                throw new IllegalArgumentException("Missing required option: '--input=<file|dir>' or '--otlp=<file|dir>'");
            }
            if (otlpTenantAttribute.isBlank()) {
                throw new IllegalArgumentException("--otlp-tenant-attribute must name an attribute");
            }
            if (otlpOutput != null && !config.includeSpans()) {
                throw new IllegalArgumentException("--otlp-output needs the spans: it cannot be given with "
                        + (noSpans ? "--no-spans" : "--include-spans false"));
            }
            files = StitchRun.Files.checked(inputs, otlpInputs, output, deadLetters, otlpOutput, otlpTenantAttribute);
        } catch (IllegalArgumentException usageError) {
            throw new ParameterException(spec.commandLine(), usageError.getMessage());
        }
        int runParallelism = parallelism != null ? parallelism
                : Math.min(4, Runtime.getRuntime().availableProcessors());
        if (runParallelism > StitchRun.MAX_PARALLELISM
                && StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment) {
            throw new ParameterException(spec.commandLine(), "--parallelism must be from 1 to "
                    + StitchRun.MAX_PARALLELISM + " on the embedded MiniCluster, got " + runParallelism);
        }
        long started = System.nanoTime();
        Map<String, Long> counters = StitchRun.run(files, config, runParallelism);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("tracestitch: %d input files, %.1f s, parallelism %d%n", files.fileCount(), seconds,
                runParallelism);
        counters.forEach((name, value) -> System.out.printf("  %-18s %d%n", name, value));
        System.out.println("  transactions -> " + output + (deadLetters == null ? "" : ", dead letters -> " + deadLetters)
                + (otlpOutput == null ? "" : ", OTLP -> " + otlpOutput));
        return 0;
    }

    /** The stitching settings given on the command line, as text by key. */
    private Map<String, String> stitchOptionsGiven() {
        Map<String, String> textByKey = new LinkedHashMap<>();
        for (ConfigOption<?> option : StitchOptions.ALL) {
            String text = spec.findOption(name(option)).getValue();
            if (text != null) {
                textByKey.put(option.key(), text);
            }
        }
        if (noSpans) {
            if (textByKey.containsKey(StitchOptions.INCLUDE_SPANS.key())) {
                throw new IllegalArgumentException("--no-spans and --include-spans say the same thing; give one of them");
            }
            textByKey.put(StitchOptions.INCLUDE_SPANS.key(), "false");
        }
        return textByKey;
    }

    private static String name(ConfigOption<?> option) {
        return "--" + option.key();
    }
}
