package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Input of the transaction assembler, keyed by transaction: a plan, or one member's content for a
 * plan. Both carry the plan's {@code seq}: the tenant's plans are numbered in the order the resolver
 * made them, and their lines are written in that order.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public sealed interface AssemblyInput permits TransactionPlan, MemberContent {

    String tenant();

    String transactionId();

    long seq();

    default Tuple2<String, String> key() {
        return Keys.of(tenant(), transactionId());
    }
}
