package io.tracestitch.jobs.cli;

import io.tracestitch.jobs.tools.Demo;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code demo}: the built-in shop simulator feeds the real job; a few transactions are printed as trees. */
@Command(name = "demo", sortOptions = false, sortSynopsis = false,
        description = "Simulate a serverless shop, stitch it and print a few transactions as trees.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--requests", paramLabel = "N", converter = IntRange.Positive.class,
            description = "Requests per simulated tenant. Default: ${DEFAULT-VALUE}.")
    int requests = ShopSimulator.Options.defaults().requestsPerTenant();

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the simulation. Default: ${DEFAULT-VALUE}.")
    long seed = ShopSimulator.Options.defaults().seed();

    @Option(names = "--out", paramLabel = "<dir>",
            description = "Directory for input.ndjson, transactions.ndjson and dead-letters.ndjson (created; "
                    + "those files overwritten). Default: ${DEFAULT-VALUE}.")
    Path out = Path.of("demo-output");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is not a directory");
        }
        try {
            Demo.run(requests, seed, out);
        } catch (IllegalArgumentException usageError) {
            throw new ParameterException(spec.commandLine(), usageError.getMessage());
        }
        return 0;
    }
}
