package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import io.tracestitch.jobs.tools.simulator.Environments.InitPhase;
import io.tracestitch.jobs.tools.simulator.Invocation.Outcome;

import java.util.List;

/** Lambda's text log format: START, END and REPORT lines, and tab-separated application lines. */
final class TextLogFormat extends LambdaLogFormat {

    @Override
    String initStart(long us, String function, InitPhase phase, RandomStream rnd) {
        return phase.textTag() + " Runtime Version: " + phase.runtime()
                + "\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:" + rnd.hex32() + rnd.hex32();
    }

    @Override
    String start(long us, String requestId) {
        return "START RequestId: " + requestId + " Version: $LATEST";
    }

    @Override
    String appLine(long us, String requestId, String level, String message) {
        return iso(line(), us).append('\t').append(requestId).append('\t').append(level).append('\t')
                .append(message).toString();
    }

    @Override
    void end(Invocation inv, ReportFigures figures, long reportUs, RandomStream rnd, List<LogEvent> events) {
        String requestId = inv.requestId();
        long endUs = inv.endUs();
        // Older runtimes log "Task timed out" instead of "Status: timeout"; it may trail the REPORT.
        boolean taskLine = inv.outcome() == Outcome.TIMEOUT && rnd.nextBoolean();
        boolean taskLineLast = taskLine && rnd.chance(0.3);
        String taskMessage = taskLine ? taskTimedOut(endUs, requestId) : null;
        if (taskLine && !taskLineLast) events.add(new LogEvent(endUs, requestId, taskMessage));
        events.add(new LogEvent(endUs, requestId, "END RequestId: " + requestId));
        Outcome reported = taskLine ? Outcome.SUCCESS : inv.outcome();
        events.add(new LogEvent(reportUs, requestId, report(requestId, inv.durationUs(), figures, reported, rnd)));
        if (taskLineLast) events.add(new LogEvent(reportUs + rnd.between(MS_US, 50 * MS_US), requestId, taskMessage));
    }

    /** The world's timeout is 3 s. */
    private String taskTimedOut(long us, String requestId) {
        return iso(line(), us).append(' ').append(requestId).append(" Task timed out after 3.00 seconds").toString();
    }

    private String report(String requestId, long durationUs, ReportFigures figures, Outcome outcome, RandomStream rnd) {
        // Runtimes separate the fields by a tab, a space, or both.
        double r = rnd.nextDouble();
        String sep = r < 0.04 ? " \t" : r < 0.07 ? " " : "\t";
        StringBuilder sb = line().append("REPORT RequestId: ").append(requestId)
                .append(sep.equals(" ") ? " " : "\t").append("Duration: ");
        fixed2(sb, durationUs).append(" ms").append(sep)
                .append("Billed Duration: ").append(ceilMs(durationUs)).append(" ms").append(sep)
                .append("Memory Size: ").append(figures.memorySizeMb()).append(" MB").append(sep)
                .append("Max Memory Used: ").append(figures.maxMemoryUsedMb()).append(" MB").append(sep);
        if (figures.initUs() > 0) {
            fixed2(sb.append("Init Duration: "), figures.initUs()).append(" ms").append(sep);
        }
        if (figures.restoreUs() > 0) {
            fixed2(sb.append("Restore Duration: "), figures.restoreUs()).append(" ms").append(sep)
                    .append("Billed Restore Duration: ").append(ceilMs(figures.restoreUs())).append(" ms").append(sep);
        }
        if (outcome == Outcome.TIMEOUT) sb.append("Status: timeout");
        if (outcome == Outcome.ERROR) sb.append("Status: error").append(sep).append("Error Type: Runtime.ExitError");
        if (rnd.chance(0.05)) {
            sb.append("\nXRAY TraceId: 1-").append(rnd.hex32(), 0, 8).append('-').append(rnd.hex32(), 0, 24)
                    .append("\tSegmentId: ").append(rnd.hex16()).append("\tSampled: true\t");
        }
        return sb.toString();
    }
}
