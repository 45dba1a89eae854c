package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import io.tracestitch.jobs.tools.simulator.Environments.InitPhase;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * How Lambda spells an invocation's log lines, in one of its two log formats (text or JSON), with that
 * format's quirks. Each instance reuses one buffer, so it belongs to one world.
 */
abstract sealed class LambdaLogFormat permits TextLogFormat, JsonLogFormat {

    private static final DateTimeFormatter ISO_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The REPORT's figures beyond the invocation's own; initUs and restoreUs are 0 unless that phase ran. */
    record ReportFigures(int memorySizeMb, int maxMemoryUsedMb, long initUs, long restoreUs) {}

    private final StringBuilder buf = new StringBuilder(1 << 10);
    /** The ISO seconds part is cached because consecutive lines share it. */
    private long second = Long.MIN_VALUE;
    private String secondPrefix;

    /** The line a new environment writes before its first request; may draw ids from rnd. */
    abstract String initStart(long us, String function, InitPhase phase, RandomStream rnd);

    abstract String start(long us, String requestId);

    abstract String appLine(long us, String requestId, String level, String message);

    /** Adds to events the lines that end the invocation, its REPORT among them, logged at reportUs. */
    abstract void end(Invocation inv, ReportFigures figures, long reportUs, RandomStream rnd, List<LogEvent> events);

    /** The reused buffer, emptied. */
    final StringBuilder line() {
        buf.setLength(0);
        return buf;
    }

    /** Appends us as an ISO-8601 UTC timestamp with milliseconds. */
    final StringBuilder iso(StringBuilder sb, long us) {
        long ms = Math.floorDiv(us, MS_US);
        long sec = Math.floorDiv(ms, 1000);
        if (sec != second) {
            second = sec;
            secondPrefix = ISO_SECONDS.format(Instant.ofEpochSecond(sec));
        }
        int frac = Math.floorMod(ms, 1000);
        sb.append(secondPrefix).append('.');
        if (frac < 100) sb.append('0');
        if (frac < 10) sb.append('0');
        return sb.append(frac).append('Z');
    }

    /** Appends us as milliseconds with two decimals, as REPORT durations are written. */
    static StringBuilder fixed2(StringBuilder sb, long us) {
        long hundredths = us / 10;
        sb.append(hundredths / 100).append('.');
        long f = hundredths % 100;
        if (f < 10) sb.append('0');
        return sb.append(f);
    }

    /** Billed durations are whole milliseconds, rounded up. */
    static long ceilMs(long us) {
        return (us + MS_US - 1) / MS_US;
    }
}
