package io.tracestitch.jobs.cli;

import io.tracestitch.jobs.tools.simulator.ShopSimulator;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Options;
import io.tracestitch.jobs.tools.simulator.ShopSimulator.Order;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code simulate}: writes the built-in serverless shop's spans and Lambda logs as input NDJSON. */
@Command(name = "simulate", sortOptions = false, sortSynopsis = false,
        description = "Write a simulated serverless shop's spans and Lambda log lines as input NDJSON.")
final class SimulateCommand implements Callable<Integer> {

    private static final Options DEFAULTS = Options.defaults();

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "<file>", description = "Where to write (overwritten). Default: stdout.")
    Path out;

    @Option(names = "--requests", paramLabel = "N", converter = IntRange.Positive.class,
            description = "Entry requests per tenant. Default: ${DEFAULT-VALUE}.")
    int requests = DEFAULTS.requestsPerTenant();

    @Option(names = "--seed", paramLabel = "S", description = "Seed: the same options and seed give the same lines. "
            + "Default: ${DEFAULT-VALUE}.")
    long seed = DEFAULTS.seed();

    @Option(names = "--tenants", paramLabel = "<id>", split = ",", description = "Tenant ids (AWS accounts).")
    List<String> tenants = DEFAULTS.tenants();

    @Option(names = "--depth", paramLabel = "N", converter = IntRange.Positive.class,
            description = "Longest chain of async hops. Default: ${DEFAULT-VALUE}.")
    int depth = DEFAULTS.maxDepth();

    @Option(names = "--order", paramLabel = "sorted|late|shuffled",
            description = "Arrival order of the lines. Default: sorted.")
    String order = "sorted";

    @Option(names = "--untraced", paramLabel = "RATE", description = "Share of producers that are not traced.")
    double untraced = DEFAULTS.untracedProducerRate();

    @Option(names = "--duplicates", paramLabel = "RATE", description = "Share of spans delivered twice.")
    double duplicates = DEFAULTS.duplicateRate();

    @Option(names = "--colliding", paramLabel = "RATE", description = "Share of message ids reused elsewhere.")
    double colliding = DEFAULTS.collidingIdRate();

    @Option(names = "--links", paramLabel = "RATE", description = "Share of consumers that link to their producer.")
    double links = DEFAULTS.linkRate();

    @Option(names = "--json-logs", paramLabel = "RATE", description = "Share of functions logging in JSON.")
    double jsonLogs = DEFAULTS.jsonLogRate();

    @Option(names = "--envelopes", paramLabel = "RATE",
            description = "Share of log lines inside CloudWatch Logs subscription messages.")
    double envelopes = DEFAULTS.envelopeRate();

    @Option(names = "--snapstart", paramLabel = "RATE", description = "Share of cold starts that are SnapStart restores.")
    double snapStart = DEFAULTS.snapStartRate();

    @Option(names = "--timeouts", paramLabel = "RATE", description = "Share of invocations that time out.")
    double timeouts = DEFAULTS.timeoutRate();

    @Option(names = "--garbage", paramLabel = "RATE", description = "Share of malformed lines.")
    double garbage = DEFAULTS.garbageRate();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        Options options;
        try {
            options = DEFAULTS.withSeed(seed).withTenants(tenants).withRequestsPerTenant(requests).withMaxDepth(depth)
                    .withUntracedProducerRate(untraced).withDuplicateRate(duplicates).withCollidingIdRate(colliding)
                    .withLinkRate(links).withJsonLogRate(jsonLogs).withEnvelopeRate(envelopes)
                    .withSnapStartRate(snapStart).withTimeoutRate(timeouts).withGarbageRate(garbage)
                    .withOrder(order(order));
        } catch (IllegalArgumentException usageError) {
            throw new ParameterException(spec.commandLine(), usageError.getMessage());
        }
        if (out != null && Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is a directory");
        }
        long started = System.nanoTime();
        long lines;
        try (Writer writer = out == null
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)
                : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            lines = new ShopSimulator(options).write(writer);
        }
        System.err.printf(Locale.ROOT, "tracestitch: %d lines in %.1f s%s%n", lines,
                (System.nanoTime() - started) / 1e9, out == null ? "" : " -> " + out);
        return 0;
    }

    private Order order(String text) {
        try {
            return Order.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--order must be sorted, late or shuffled, got " + text);
        }
    }
}
