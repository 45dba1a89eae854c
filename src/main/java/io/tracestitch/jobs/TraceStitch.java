package io.tracestitch.jobs;

import io.tracestitch.jobs.cli.TraceStitchCommand;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of {@code tracestitch.jar}: {@code stitch}, {@code demo} and {@code bench}, parsed
 * and given their exit codes by {@link TraceStitchCommand}.
 */
public final class TraceStitch {

    private TraceStitch() {}

    public static void main(String[] args) throws Exception {
        if (StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment) {
            System.exit(run(args)); // the embedded MiniCluster leaves threads behind
        }
        // Under `flink run`, or submitted to a cluster's REST API or in application mode, main()
        // runs inside Flink's client or JobManager: exiting the JVM would take that process down.
        // The failure is an exception instead, and it carries the command's own first line (a
        // secret in it is already redacted), because the REST API answers with nothing else.
        StringWriter said = new StringWriter();
        int code = TraceStitchCommand.commandLine().setErr(new PrintWriter(said, true)).execute(args);
        System.err.print(said);
        if (code != 0) {
            String command = args.length == 0 ? "" : " " + args[0];
            throw new IllegalStateException("tracestitch" + command + " failed with exit code " + code + ": "
                    + said.toString().lines().findFirst().orElse("(it said nothing)"));
        }
    }

    /** Runs one command and returns its exit code: 0 done, 1 unreadable input or failed job, 2 usage error. */
    public static int run(String... args) {
        return TraceStitchCommand.commandLine().execute(args);
    }
}
