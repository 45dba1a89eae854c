package io.tracestitch.model;

/** The resolver's view of one live transaction. Mutable Flink POJO kept in MapState. */
public class TransactionNode {
    public String transactionId;
    /** The trace this id follows through merges and splits. */
    public String anchor;
    public String[] members = new String[0];
    /** Every id this transaction has absorbed, cumulatively. */
    public String[] supersedes = new String[0];
    /** Last revision planned; 0 before the first. */
    public int revision;

    public TransactionNode() {}

    public TransactionNode(String transactionId, String anchor) {
        this.transactionId = transactionId;
        this.anchor = anchor;
    }
}
