package io.tracestitch.model;

/** Input of the transaction assembler: either a plan or one member's content. */
public record AssemblyInput(TransactionPlan plan, MemberContent member) {

    public String key() {
        return plan != null
                ? Keys.of(plan.tenant(), plan.transactionId())
                : Keys.of(member.tenant(), member.transactionId());
    }
}
