package io.tracestitch.operators.output.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Status;
import io.tracestitch.model.Invocation;
import java.util.Map;

/**
 * A Lambda invocation's log facts as attributes of its span: the semantic conventions' {@code faas.*}
 * where they have a name ({@code faas.coldstart}, {@code faas.max_memory} in bytes, {@code faas.name}),
 * {@code tracestitch.invocation.*} for the rest. Only what the logs said is written: cold start and
 * billing only once a REPORT arrived. A timed-out or failed invocation makes its span's status an
 * error, as it counts in the line's {@code errorCount}.
 */
final class InvocationAttributes {

    private static final String PREFIX = "tracestitch.invocation.";
    private static final long BYTES_PER_MB = 1L << 20;

    private InvocationAttributes() {}

    static void add(RevisionContent.InvocationFacts facts, Map<String, AnyValue> attributes, Status.Builder status) {
        if (facts.function() != null) {
            attributes.putIfAbsent("faas.name", TransactionTrace.text(facts.function()));
        }
        if (facts.reported()) {
            attributes.put("faas.coldstart", AnyValue.newBuilder().setBoolValue(facts.coldStart()).build());
        }
        if (!Double.isNaN(facts.memorySizeMb())) {
            attributes.put("faas.max_memory", integer((long) facts.memorySizeMb() * BYTES_PER_MB));
        }
        number(attributes, "init_duration_ms", facts.initDurationMs());
        number(attributes, "restore_duration_ms", facts.restoreDurationMs());
        number(attributes, "duration_ms", facts.durationMs());
        number(attributes, "billed_duration_ms", facts.billedDurationMs());
        number(attributes, "max_memory_used_mb", facts.maxMemoryUsedMb());
        if (facts.timedOut()) {
            attributes.put(PREFIX + "timed_out", AnyValue.newBuilder().setBoolValue(true).build());
        }
        if (facts.status() != null) {
            attributes.put(PREFIX + "status", TransactionTrace.text(facts.status()));
        }
        if (facts.errorType() != null) {
            attributes.put(PREFIX + "error_type", TransactionTrace.text(facts.errorType()));
        }
        if (facts.timedOut() || Invocation.TIMEOUT.equals(facts.status())) {
            status.setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("Lambda invocation timed out");
        } else if (Invocation.ERROR.equals(facts.status())) {
            status.setCode(Status.StatusCode.STATUS_CODE_ERROR)
                    .setMessage(facts.errorType() != null ? facts.errorType() : "Lambda invocation failed");
        }
    }

    private static void number(Map<String, AnyValue> attributes, String name, double value) {
        if (!Double.isNaN(value)) {
            attributes.put(PREFIX + name, AnyValue.newBuilder().setDoubleValue(value).build());
        }
    }

    private static AnyValue integer(long value) {
        return AnyValue.newBuilder().setIntValue(value).build();
    }
}
