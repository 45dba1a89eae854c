package io.tracestitch.model;

import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the platform log lines say about one Lambda invocation, keyed by {@code requestId}.
 *
 * <p>Log lines arrive shuffled and duplicated, so {@link #with} and {@link #merge} are
 * commutative, associative and idempotent: any order of the same lines gives an equal value.
 * Each field is joined on its own:
 * <ul>
 *   <li>{@code durationMs}: a REPORT's value wins over a RUNTIME_DONE's ({@code reportSeen} says
 *       which one it is); two values of the same source keep the larger.</li>
 *   <li>the other metrics come only from REPORT lines; conflicting values keep the larger.</li>
 *   <li>{@code coldStart}: a REPORT had Init Duration or Restore Duration (a SnapStart restore is
 *       a new execution environment too).</li>
 *   <li>{@code timedOut}: a TIMEOUT line arrived or any line said status timeout.</li>
 *   <li>{@code status}: timeout over error over success; null while no line says.</li>
 *   <li>{@code errorType}: the lexicographically smallest one seen.</li>
 * </ul>
 * Absent numbers are NaN; record equality treats NaN as equal to NaN.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record Invocation(String requestId, String function, boolean coldStart, double initDurationMs,
        double restoreDurationMs, double durationMs, double billedDurationMs, double memorySizeMb,
        double maxMemoryUsedMb, boolean timedOut, String status, String errorType, boolean reportSeen) {

    public static final String SUCCESS = "success";
    public static final String ERROR = "error";
    public static final String TIMEOUT = "timeout";

    /** Invocations wait in state: their few distinct names and statuses are shared, not copied. */
    public Invocation {
        function = Canonical.of(function);
        status = Canonical.of(status);
        errorType = Canonical.of(errorType);
    }

    public static Invocation of(String requestId, String function) {
        return new Invocation(requestId, function, false, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, false, null, null, false);
    }

    /** @throws IllegalArgumentException if the line belongs to another request id */
    public Invocation with(PlatformLine line) {
        return merge(fromLine(line));
    }

    /**
     * Combines two partial views of the same invocation. {@code function} keeps the non-null one
     * (the smaller if both are set and differ, so the result does not depend on the order).
     *
     * @throws IllegalArgumentException if the request ids differ
     */
    public Invocation merge(Invocation other) {
        if (!Objects.equals(requestId, other.requestId)) {
            throw new IllegalArgumentException(
                    "cannot merge invocation " + other.requestId + " into " + requestId);
        }
        double mergedDuration;
        if (reportSeen == other.reportSeen) {
            mergedDuration = larger(durationMs, other.durationMs);
        } else {
            mergedDuration = reportSeen ? durationMs : other.durationMs;
        }
        return new Invocation(
                requestId,
                smaller(function, other.function),
                coldStart || other.coldStart,
                larger(initDurationMs, other.initDurationMs),
                larger(restoreDurationMs, other.restoreDurationMs),
                mergedDuration,
                larger(billedDurationMs, other.billedDurationMs),
                larger(memorySizeMb, other.memorySizeMb),
                larger(maxMemoryUsedMb, other.maxMemoryUsedMb),
                timedOut || other.timedOut,
                strongerStatus(status, other.status),
                smaller(errorType, other.errorType),
                reportSeen || other.reportSeen);
    }

    private Invocation fromLine(PlatformLine line) {
        boolean report = line.kind() == PlatformLine.Kind.REPORT;
        boolean timeoutLine = line.kind() == PlatformLine.Kind.TIMEOUT;
        // Only a REPORT carries the billing metrics; RUNTIME_DONE contributes its duration alone.
        double duration = report || line.kind() == PlatformLine.Kind.RUNTIME_DONE ? line.durationMs() : Double.NaN;
        double init = report ? line.initDurationMs() : Double.NaN;
        double restore = report ? line.restoreDurationMs() : Double.NaN;
        String lineStatus = timeoutLine ? TIMEOUT : line.status();
        return new Invocation(
                line.requestId(),
                function,
                !Double.isNaN(init) || !Double.isNaN(restore),
                init,
                restore,
                duration,
                report ? line.billedDurationMs() : Double.NaN,
                report ? line.memorySizeMb() : Double.NaN,
                report ? line.maxMemoryUsedMb() : Double.NaN,
                TIMEOUT.equals(lineStatus),
                lineStatus,
                line.errorType(),
                report);
    }

    private static String strongerStatus(String a, String b) {
        int rankA = statusRank(a);
        int rankB = statusRank(b);
        if (rankA != rankB) {
            return rankA > rankB ? a : b;
        }
        return smaller(a, b);
    }

    private static int statusRank(String status) {
        if (status == null) {
            return 0;
        }
        return switch (status) {
            case SUCCESS -> 1;
            case ERROR -> 2;
            case TIMEOUT -> 3;
            default -> 0;
        };
    }

    /** The larger of two values where NaN means "not known", so any known value beats it. */
    private static double larger(double a, double b) {
        if (Double.isNaN(a)) {
            return b;
        }
        if (Double.isNaN(b)) {
            return a;
        }
        return Math.max(a, b);
    }

    private static String smaller(String a, String b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }
}
