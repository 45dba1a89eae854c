package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The resolver's decision for one revision of a transaction: who belongs to it and how it relates
 * to others. The assembler completes it with the members' content.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TransactionPlan(
        String tenant,
        String transactionId,
        int revision,
        String[] members,
        String[] supersedes,
        String[] upstreamTransactions,
        String[] unmatched) {}
