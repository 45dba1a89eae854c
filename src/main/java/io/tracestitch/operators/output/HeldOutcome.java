package io.tracestitch.operators.output;

import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.SpanCompression;

/**
 * Mutable Flink POJO: a plan's outcome that came before its turn. {@code line} is null for a skipped
 * plan; otherwise the revision's line, deflate-compressed when {@code deflated} ({@code length} is then
 * its uncompressed length), with the revision's id, number and superseded ids. The tenant is the key.
 */
public class HeldOutcome {
    public String transactionId;
    public int revision;
    public String[] supersedes;
    public byte[] line;
    public boolean deflated;
    public int length;

    static HeldOutcome skipped() {
        return new HeldOutcome();
    }

    static HeldOutcome of(TransactionRevision written, boolean compress) {
        HeldOutcome held = new HeldOutcome();
        held.transactionId = written.transactionId();
        held.revision = written.revision();
        held.supersedes = written.supersedes();
        held.length = written.line().length;
        held.deflated = compress;
        held.line = compress ? SpanCompression.compress(written.line()) : written.line();
        return held;
    }

    boolean isSkipped() {
        return line == null;
    }

    TransactionRevision revision(String tenant) {
        return new TransactionRevision(tenant, transactionId, revision, supersedes,
                deflated ? SpanCompression.decompress(line, length) : line);
    }
}
