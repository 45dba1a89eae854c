package io.tracestitch.operators.resolve;

/** The resolver's view of one live transaction. Mutable Flink POJO kept in MapState. */
public class TransactionNode {
    public String transactionId;
    /** The trace this id follows through merges and splits. */
    public String anchor;
    public String[] members = NONE;
    /** Every id this transaction has absorbed, cumulatively. */
    public String[] supersedes = NONE;
    /** Last revision planned; 0 before the first. */
    public int revision;

    // Shared empty: arrays here are replaced, never written in place.
    private static final String[] NONE = {};

    public TransactionNode() {}

    public TransactionNode(String transactionId, String anchor) {
        this.transactionId = transactionId;
        this.anchor = anchor;
    }
}
