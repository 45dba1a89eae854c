package io.tracestitch.operators.output;

/**
 * Mutable Flink POJO: one transaction at rest. {@code lastSeq} is the newest plan number seen, so that
 * content for an older, skipped plan is recognised; {@code written}, whether a line of the transaction
 * was written (for {@code transactionsOut}).
 */
public class TransactionProgress {
    public long lastSeq;
    public boolean written;
}
