package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.config.StitchOptions;
import io.tracestitch.jobs.tools.Benchmark;
import io.tracestitch.jobs.tools.Demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Command line entry point of {@code tracestitch.jar}.
 *
 * <pre>
 * stitch --input &lt;file|dir&gt; [--input …] --output &lt;file&gt; [--dead-letter &lt;file&gt;] [--parallelism N]
 *        [--gap 30s] [--max-hop-delay 5m] [--out-of-orderness 10s] [--horizon 1h] [--max-spans N]
 *        [--no-spans]
 * demo   [--requests N] [--seed S] [--out &lt;dir&gt;]
 * bench  --input &lt;file&gt; [--parallelism 2] [--rounds 3] [--memory]
 * </pre>
 */
public final class TraceStitch {

    private TraceStitch() {}

    public static void main(String[] args) throws Exception {
        int code = run(args);
        if (StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment) {
            System.exit(code); // the embedded MiniCluster leaves threads behind
        }
        // Under `flink run`, or submitted to a cluster's REST API or in application mode, main()
        // runs inside Flink's client or JobManager: exiting the JVM would take that process down.
        if (code != 0) {
            throw new IllegalStateException("tracestitch " + String.join(" ", args) + " failed with exit code " + code);
        }
    }

    /** Runs one command and returns its exit code; 2 for a usage error of any command. */
    public static int run(String... args) throws Exception {
        String command = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (command) {
                case "stitch" -> stitch(rest);
                case "demo" -> Demo.run(rest);
                case "bench" -> Benchmark.run(rest);
                default -> throw new IllegalArgumentException(
                        command.isEmpty() ? "a command is needed" : "unknown command " + command);
            };
        } catch (IllegalArgumentException e) { // a usage error of demo or bench (stitch reports its own)
            System.err.println("tracestitch: " + e.getMessage());
            usage();
            return 2;
        }
    }

    /** Exit codes: 0 done (bad lines are dead letters, not failures), 1 unreadable input, 2 bad usage. */
    static int stitch(String[] args) throws Exception {
        List<Path> inputs = new ArrayList<>();
        Path output = null;
        Path deadLetters = null;
        int parallelism = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        Configuration options = new Configuration();
        StitchConfig config;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--input" -> inputs.add(Path.of(value(args, ++i, arg)));
                    case "--output" -> output = Path.of(value(args, ++i, arg));
                    case "--dead-letter" -> deadLetters = Path.of(value(args, ++i, arg));
                    case "--parallelism" -> parallelism = Integer.parseInt(value(args, ++i, arg));
                    case "--no-spans" -> options.set(StitchOptions.INCLUDE_SPANS, false);
                    default -> {
                        String key = arg.startsWith("--") ? arg.substring(2) : arg;
                        if (StitchOptions.ALL.stream().noneMatch(option -> option.key().equals(key))) {
                            throw new IllegalArgumentException("unknown option " + arg);
                        }
                        options.setString(key, value(args, ++i, arg));
                    }
                }
            }
            if (inputs.isEmpty() || output == null) {
                throw new IllegalArgumentException("--input and --output are required");
            }
            if (parallelism < 1) {
                throw new IllegalArgumentException("--parallelism must be at least 1");
            }
            config = StitchConfig.from(options);
        } catch (IllegalArgumentException e) {
            System.err.println("tracestitch: " + e.getMessage());
            usage();
            return 2;
        }
        List<Path> files = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> listing = Files.list(input)) {
                    listing.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isReadable(input)) {
                files.add(input);
            } else {
                System.err.println("tracestitch: cannot read input " + input);
                return 1;
            }
        }
        long started = System.nanoTime();
        Map<String, Long> counters = StitchRun.run(new StitchRun.Files(files, output, deadLetters), config, parallelism);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("tracestitch: %d input files, %.1f s, parallelism %d%n", files.size(), seconds, parallelism);
        counters.forEach((name, value) -> System.out.printf("  %-18s %d%n", name, value));
        System.out.println("  transactions -> " + output + (deadLetters == null ? "" : ", dead letters -> " + deadLetters));
        return 0;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void usage() {
        System.err.println("""
                usage: java -jar target/tracestitch.jar stitch --input <file|dir> [--input ...] --output <file>
                           [--dead-letter <file>] [--parallelism N] [--gap 30s] [--max-hop-delay 5m]
                           [--out-of-orderness 10s] [--horizon 1h] [--max-spans 10000] [--no-spans]
                       java -jar target/tracestitch.jar demo [--requests N] [--seed S] [--out <dir>]
                       java -jar target/tracestitch.jar bench --input <file> [--parallelism 2] [--rounds 3] [--memory]""");
    }
}
