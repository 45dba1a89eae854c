package io.tracestitch.jobs.cli;

import io.tracestitch.jobs.tools.Soak;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.util.TimeUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** {@code soak}: run on a real broker for a long time at a steady rate, state and latency reported. */
@Command(name = "soak", sortOptions = false, sortSynopsis = false,
        description = "Run the streaming job against a Kafka broker for a long time at a steady rate: a live simulated "
                + "shop produced into a new topic, a table of records and checkpoint sizes every minute, then the "
                + "latency from a transaction's last span to its first committed revision.")
final class SoakCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", paramLabel = "<host:port>", description = "Default: ${DEFAULT-VALUE}.")
    String bootstrapServers = "127.0.0.1:9092";

    @Option(names = "--tenants", paramLabel = "N", converter = IntRange.Positive.class,
            description = "Simulated tenants; each sends ~160 records/s. Default: ${DEFAULT-VALUE} (~5k records/s).")
    int tenants = 32;

    @Option(names = "--minutes", paramLabel = "N", converter = IntRange.Positive.class, description = "Default: ${DEFAULT-VALUE}.")
    int minutes = 20;

    @Option(names = "--horizon", paramLabel = "<duration>", defaultValue = "3min", converter = DurationText.class,
            description = "The job's horizon: how long state is kept. Default: ${DEFAULT-VALUE}.")
    Duration horizon;

    @Option(names = "--max-hop-delay", paramLabel = "<duration>", defaultValue = "1min", converter = DurationText.class,
            description = "Default: ${DEFAULT-VALUE}.")
    Duration maxHopDelay;

    @Option(names = "--checkpoint-interval", paramLabel = "<duration>", defaultValue = "10s", converter = DurationText.class,
            description = "Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--parallelism", paramLabel = "N", converter = IntRange.Parallelism.class,
            description = "Default: ${DEFAULT-VALUE}.")
    int parallelism = 2;

    @Option(names = "--report", paramLabel = "<file>", description = "The table as Markdown. Default: ${DEFAULT-VALUE}.")
    Path report = Path.of("soak-report.md");

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** Durations as the configuration writes them: 10s, 3min, 1h. */
    static final class DurationText implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String text) {
            return TimeUtils.parseDuration(text);
        }
    }

    @Override
    public Integer call() throws Exception {
        Soak.run(new Soak.Settings(bootstrapServers, tenants, Duration.ofMinutes(minutes), horizon, maxHopDelay,
                checkpointInterval, parallelism, report));
        return 0;
    }
}
