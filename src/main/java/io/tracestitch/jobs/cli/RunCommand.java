package io.tracestitch.jobs.cli;

import io.tracestitch.config.RunConfigException;
import io.tracestitch.config.RunConfigLoader;
import io.tracestitch.jobs.StreamingRun;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code run}: the streaming job on Kafka and Kinesis. The configuration is loaded and validated
 * before anything starts (a refusal is a usage error naming the key and its source) and printed
 * with the Kafka client properties redacted; {@code --dry-run} stops there.
 */
@Command(name = "run", sortOptions = false, sortSynopsis = false,
        description = "Stitch endless input from Kafka and Kinesis into a compacted Kafka topic, exactly once.",
        footer = "%nPrecedence: --set over environment (TRACESTITCH_<KEY>, '.' and '-' as '_') over the file over "
                + "the defaults. Keys: README, 'The run command (configuration)'.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "<file>",
            description = "The configuration: YAML (.yaml, .yml; nested keys are joined with '.') or Java properties (.properties).")
    Path config;

    @Option(names = "--set", paramLabel = "<key=value>",
            description = "Sets one key, over the environment and the file. Repeatable.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--from-savepoint", paramLabel = "<path>",
            description = "Start from this savepoint or retained checkpoint (a directory or its _metadata file) "
                    + "instead of from scratch. On a cluster, use the cluster's own way (flink run -s, REST savepointPath).")
    String fromSavepoint;

    @Option(names = "--dry-run", description = "Print the effective configuration (Kafka client properties redacted) and exit.")
    boolean dryRun;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public Integer call() throws Exception {
        RunConfigLoader.Loaded loaded;
        try {
            loaded = RunConfigLoader.load(config, sets, System.getenv());
        } catch (RunConfigException refused) {
            throw new ParameterException(spec.commandLine(), refused.getMessage());
        }
        System.out.println("tracestitch: run: the configuration is valid" + (dryRun ? " (dry run: nothing started)" : ""));
        loaded.describe().forEach(System.out::println);
        if (!dryRun) {
            StreamingRun.run(loaded.config(), fromSavepoint);
        }
        return 0;
    }
}
