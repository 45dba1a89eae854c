package io.tracestitch.operators.output;

import io.tracestitch.model.TransactionPlan;

/** Mutable Flink POJO: the plan of one transaction waiting for its members' content, and how many arrived. */
public class PendingPlan {
    public TransactionPlan plan;
    public int received;

    public PendingPlan() {}

    PendingPlan(TransactionPlan plan, int received) {
        this.plan = plan;
        this.received = received;
    }

    boolean complete() {
        return received == plan.members().length;
    }
}
