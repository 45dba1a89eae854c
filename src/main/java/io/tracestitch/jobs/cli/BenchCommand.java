package io.tracestitch.jobs.cli;

import io.tracestitch.jobs.tools.Benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the speed benchmark on one input file (in this JVM, or with {@code --cold} each
 * measurement in a fresh one), with {@code --memory} the live-heap one, or with {@code --hostile}
 * the generated hostile cases.
 */
@Command(name = "bench", sortOptions = false, sortSynopsis = false,
        description = "Measure parsing, the yardsticks (b) and (b2) and stitch on one input file (or, with --memory, "
                + "live heap per buffered span; with --hostile, the hostile cases at 1x and 2x size).")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "<file>", description = "One NDJSON file (all modes but --hostile).")
    Path input;

    @Option(names = "--parallelism", paramLabel = "N", converter = IntRange.Parallelism.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int parallelism = 2;

    @Option(names = "--rounds", paramLabel = "N", converter = IntRange.Positive.class,
            description = "Rounds of the speed benchmark; round 1 is a cold JVM. Default: ${DEFAULT-VALUE}.")
    int rounds = 3;

    @Option(names = "--only", paramLabel = "a|b|c|b2",
            description = "Run only this measurement each round (with --cold: in a fresh JVM).")
    String only;

    @Option(names = "--cold",
            description = "Run each of (b), (b2) and (c), or the --only one, in a fresh JVM of its own every round.")
    boolean cold;

    @Option(names = "--memory", description = "Measure live heap per buffered span instead of speed.")
    boolean memory;

    @Option(names = "--hostile", description = "Run the hostile cases at 1x and 2x size instead of an input file.")
    boolean hostile;

    @Option(names = "--scale", paramLabel = "X",
            description = "With --hostile: the cases' sizes times X. Default: ${DEFAULT-VALUE}.")
    double scale = 1;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        ParseResult given = spec.commandLine().getParseResult();
        if (hostile) {
            refuse(given, "with --hostile", "--input", "--rounds", "--only", "--cold", "--memory");
            if (!(scale > 0)) {
                throw new ParameterException(spec.commandLine(), "--scale must be above 0, got " + scale);
            }
            Benchmark.hostile(scale, parallelism);
            return 0;
        }
        refuse(given, "without --hostile", "--scale");
        if (input == null) {
            throw new ParameterException(spec.commandLine(), "missing required option: '--input=<file>' (or --hostile)");
        }
        if (Files.isDirectory(input)) {
            throw new ParameterException(spec.commandLine(), "--input " + input + " is a directory; bench reads one file");
        }
        if (memory) {
            refuse(given, "with --memory", "--rounds", "--only", "--cold");
            Benchmark.memory(input, parallelism);
            return 0;
        }
        Benchmark.Measurement measurement;
        try {
            measurement = only == null ? null : Benchmark.Measurement.of(only);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Benchmark.speed(input, parallelism, rounds, measurement, cold);
        return 0;
    }

    private void refuse(ParseResult given, String when, String... options) {
        for (String option : options) {
            if (given.hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " has no effect " + when);
            }
        }
    }
}
