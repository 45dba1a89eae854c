package io.tracestitch.jobs;

import io.tracestitch.jobs.cli.TraceStitchCommand;

import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of {@code tracestitch.jar}: {@code stitch}, {@code demo} and {@code bench}, parsed
 * and given their exit codes by {@link TraceStitchCommand}.
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

    /** Runs one command and returns its exit code: 0 done, 1 unreadable input or failed job, 2 usage error. */
    public static int run(String... args) {
        return TraceStitchCommand.commandLine().execute(args);
    }
}
