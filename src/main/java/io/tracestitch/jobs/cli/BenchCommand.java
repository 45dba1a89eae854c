package io.tracestitch.jobs.cli;

import io.tracestitch.jobs.tools.Benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench}: the speed benchmark, or with {@code --memory} the live-heap one, on one input file. */
@Command(name = "bench", sortOptions = false, sortSynopsis = false,
        description = "Measure parsing, the yardstick pipeline and stitch on one input file (or, with --memory, "
                + "live heap per buffered span).")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "<file>", description = "One NDJSON file.")
    Path input;

    @Option(names = "--parallelism", paramLabel = "N", converter = IntRange.Parallelism.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int parallelism = 2;

    @Option(names = "--rounds", paramLabel = "N", converter = IntRange.Positive.class,
            description = "Rounds of the speed benchmark; round 1 is a cold JVM. Default: ${DEFAULT-VALUE}.")
    int rounds = 3;

    @Option(names = "--memory", description = "Measure live heap per buffered span instead of speed.")
    boolean memory;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        if (memory && spec.commandLine().getParseResult().hasMatchedOption("--rounds")) {
            throw new ParameterException(spec.commandLine(), "--rounds has no effect with --memory");
        }
        if (Files.isDirectory(input)) {
            throw new ParameterException(spec.commandLine(), "--input " + input + " is a directory; bench reads one file");
        }
        Benchmark.run(input, parallelism, rounds, memory);
        return 0;
    }
}
