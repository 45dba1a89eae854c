package io.tracestitch.model;

/**
 * One Lambda platform log line reduced to the facts an invocation needs. Absent numbers are NaN.
 *
 * <p>{@code status} is {@code success}, {@code error} or {@code timeout}, or null when the line
 * does not say; {@code errorType} is null unless the line names one.
 */
public record PlatformLine(String requestId, Kind kind, double durationMs, double billedDurationMs,
        double memorySizeMb, double maxMemoryUsedMb, double initDurationMs, double restoreDurationMs,
        String status, String errorType) {

    public enum Kind { START, END, REPORT, TIMEOUT, RUNTIME_DONE }
}
