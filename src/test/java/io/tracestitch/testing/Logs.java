package io.tracestitch.testing;

import static io.tracestitch.testing.Spans.TENANT;

import io.tracestitch.model.LogFact;
import io.tracestitch.model.PlatformLine;
import io.tracestitch.model.RequestFact;

/** Lambda platform log lines and request facts of tenant {@link Spans#TENANT}. */
public final class Logs {

    /** The function every test log line names (its log group's function). */
    public static final String FUNCTION = "checkout";
    private static final double NONE = Double.NaN;

    private Logs() {}

    public static LogFact start(String requestId, long timestampMs) {
        return line(FUNCTION, timestampMs, new PlatformLine(requestId, PlatformLine.Kind.START,
                NONE, NONE, NONE, NONE, NONE, NONE, null, null));
    }

    /** A warm REPORT line (no init duration) of a 512 MB function. */
    public static LogFact report(String requestId, long timestampMs, double durationMs) {
        return reportOf(FUNCTION, requestId, timestampMs, durationMs);
    }

    /** A REPORT line of a log record that names no function (a native log record without one). */
    public static LogFact reportWithoutFunction(String requestId, long timestampMs, double durationMs) {
        return reportOf(null, requestId, timestampMs, durationMs);
    }

    public static LogFact timeout(String requestId, long timestampMs) {
        return line(FUNCTION, timestampMs, new PlatformLine(requestId, PlatformLine.Kind.TIMEOUT,
                NONE, NONE, NONE, NONE, NONE, NONE, null, null));
    }

    /** Spans of {@code traceId} (service {@code svc-<traceId>}) carry {@code requestId}. */
    public static RequestFact request(String requestId, String traceId) {
        return new RequestFact(TENANT, requestId, traceId, Spans.service(traceId));
    }

    private static LogFact reportOf(String function, String requestId, long timestampMs, double durationMs) {
        return line(function, timestampMs, new PlatformLine(requestId, PlatformLine.Kind.REPORT,
                durationMs, Math.ceil(durationMs), 512, 80, NONE, NONE, null, null));
    }

    private static LogFact line(String function, long timestampMs, PlatformLine line) {
        return new LogFact(TENANT, function, timestampMs, line);
    }
}
