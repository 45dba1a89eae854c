package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * Input of the per-tenant transaction assembler: a plan, or one member's content for a plan. Both
 * carry the plan's {@code seq}: the tenant's plans are numbered in the order the resolver made them,
 * and the assembler writes them in that order.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public sealed interface AssemblyInput permits TransactionPlan, MemberContent {

    String tenant();

    long seq();
}
