package io.tracestitch.model;

/**
 * The resolver's decision for one revision of a transaction: who belongs to it and how it relates
 * to others. The assembler completes it with the members' content.
 */
public record TransactionPlan(
        String tenant,
        String transactionId,
        int revision,
        String[] members,
        String[] supersedes,
        String[] upstreamTransactions,
        String[] unmatched) {}
