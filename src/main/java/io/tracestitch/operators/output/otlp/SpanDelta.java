package io.tracestitch.operators.output.otlp;

import io.tracestitch.operators.output.otlp.TransactionTrace.EncodedSpan;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * What a revision must write so that a trace UI shows every span once: the spans that are new to the
 * transaction's trace, and those whose OTLP form changed since the previous revision (invocation facts
 * that arrived, a root hung from a hop found late, a renamed upstream); a span written once
 * ({@link EncodedSpan#writeOnce()}) is never written again. Superseded transactions each get their
 * marker once. The state after the revision holds exactly the revision's spans, so a span that left
 * the transaction (a split) and came back is written again.
 */
public final class SpanDelta {

    public record Result(List<EncodedSpan> toWrite, EmittedSpans after) {}

    private SpanDelta() {}

    public static Result of(EmittedSpans before, RevisionContent content, List<EncodedSpan> spans) {
        EmittedSpans known = before != null ? before : new EmittedSpans();
        List<EncodedSpan> toWrite = new ArrayList<>();
        long[][] after = new long[spans.size()][];
        for (int i = 0; i < spans.size(); i++) {
            EncodedSpan span = spans.get(i);
            int at = Arrays.binarySearch(known.spanIds, span.spanId());
            long fingerprint = fingerprint(span);
            if (at >= 0 && (span.writeOnce() || known.fingerprints[at] == fingerprint)) {
                fingerprint = known.fingerprints[at];
            } else {
                toWrite.add(span);
            }
            after[i] = new long[] {span.spanId(), fingerprint};
        }
        Arrays.sort(after, (a, b) -> Long.compare(a[0], b[0]));
        EmittedSpans next = new EmittedSpans();
        next.spanIds = Arrays.stream(after).mapToLong(pair -> pair[0]).toArray();
        next.fingerprints = Arrays.stream(after).mapToLong(pair -> pair[1]).toArray();
        TreeSet<String> superseded = new TreeSet<>(Arrays.asList(known.superseded));
        for (String id : new TreeSet<>(content.supersedes())) {
            if (superseded.add(id)) {
                toWrite.add(TransactionTrace.supersededMarker(content, id));
            }
        }
        next.superseded = superseded.toArray(new String[0]);
        return new Result(toWrite, next);
    }

    /** 64 bits of SHA-256 over the span's protobuf form and its service (its resource). */
    static long fingerprint(EncodedSpan span) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(span.service().getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
            digest.update(span.span().toByteArray());
            return ByteBuffer.wrap(digest.digest()).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
