package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The resolver's decision for one revision of a transaction: who belongs to it and how it relates
 * to others. {@code seq} numbers the tenant's plans in the order they were made. The assembler
 * completes it with the members' content.
 *
 * <p>{@code unmatchedMessages}: received join keys whose publisher was never seen;
 * {@code unmatchedLinks}: linked traces never seen; {@code cappedKeys}: join keys of members whose
 * pairing reached {@code max-sides-per-key}. All sorted.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TransactionPlan(
        String tenant,
        long seq,
        String transactionId,
        int revision,
        String[] members,
        String[] supersedes,
        String[] upstreamTransactions,
        JoinKey[] unmatchedMessages,
        String[] unmatchedLinks,
        JoinKey[] cappedKeys) implements AssemblyInput {}
