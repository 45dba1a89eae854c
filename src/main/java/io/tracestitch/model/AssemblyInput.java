package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.java.tuple.Tuple2;

/** Input of the transaction assembler: either a plan or one member's content. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record AssemblyInput(TransactionPlan plan, MemberContent member) {

    public Tuple2<String, String> key() {
        return plan != null
                ? Keys.of(plan.tenant(), plan.transactionId())
                : Keys.of(member.tenant(), member.transactionId());
    }
}
