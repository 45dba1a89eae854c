package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.jobs.tools.simulator.Environments.InitPhase;
import io.tracestitch.jobs.tools.simulator.Invocation.Outcome;

import java.util.List;

/** Lambda's JSON log format: platform telemetry records, and application lines as JSON objects. */
final class JsonLogFormat extends LambdaLogFormat {

    @Override
    String initStart(long us, String function, InitPhase phase, RandomStream rnd) {
        return platformRecord(us, phase.jsonType())
                .append("\"initializationType\":\"").append(phase.initializationType())
                .append("\",\"phase\":\"").append(phase.phase())
                .append("\",\"runtimeVersion\":\"").append(phase.runtime())
                .append("\",\"functionName\":\"").append(function)
                .append("\",\"functionVersion\":\"$LATEST\"}}").toString();
    }

    @Override
    String start(long us, String requestId) {
        return platformRecord(us, "platform.start").append("\"requestId\":\"").append(requestId)
                .append("\",\"version\":\"$LATEST\"}}").toString();
    }

    @Override
    String appLine(long us, String requestId, String level, String message) {
        StringBuilder sb = line().append("{\"timestamp\":\"");
        iso(sb, us).append("\",\"level\":\"").append(level).append("\",\"requestId\":\"").append(requestId)
                .append("\",\"message\":");
        return Render.str(sb, message).append('}').toString();
    }

    @Override
    void end(Invocation inv, ReportFigures figures, long reportUs, RandomStream rnd, List<LogEvent> events) {
        events.add(new LogEvent(inv.endUs(), inv.requestId(), runtimeDone(inv)));
        events.add(new LogEvent(reportUs, inv.requestId(), report(reportUs, inv, figures)));
    }

    private String runtimeDone(Invocation inv) {
        StringBuilder sb = platformRecord(inv.endUs(), "platform.runtimeDone")
                .append("\"requestId\":\"").append(inv.requestId()).append("\",");
        status(sb, inv.outcome());
        return fixed2(sb.append(",\"metrics\":{\"durationMs\":"), inv.durationUs()).append(",\"producedBytes\":0}}}").toString();
    }

    private String report(long us, Invocation inv, ReportFigures figures) {
        StringBuilder sb = platformRecord(us, "platform.report")
                .append("\"requestId\":\"").append(inv.requestId()).append("\",\"metrics\":{\"durationMs\":");
        fixed2(sb, inv.durationUs()).append(",\"billedDurationMs\":").append(ceilMs(inv.durationUs()))
                .append(",\"memorySizeMB\":").append(figures.memorySizeMb())
                .append(",\"maxMemoryUsedMB\":").append(figures.maxMemoryUsedMb());
        if (figures.initUs() > 0) fixed2(sb.append(",\"initDurationMs\":"), figures.initUs());
        if (figures.restoreUs() > 0) fixed2(sb.append(",\"restoreDurationMs\":"), figures.restoreUs());
        status(sb.append("},"), inv.outcome());
        return sb.append("}}").toString();
    }

    /** Starts a telemetry record and leaves it open inside its "record" object. */
    private StringBuilder platformRecord(long us, String type) {
        StringBuilder sb = line().append("{\"time\":\"");
        return iso(sb, us).append("\",\"type\":\"").append(type).append("\",\"record\":{");
    }

    private static void status(StringBuilder sb, Outcome outcome) {
        sb.append("\"status\":\"").append(outcome.status).append('"');
        if (outcome == Outcome.ERROR) sb.append(",\"errorType\":\"Runtime.ExitError\"");
    }
}
