package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What became of the tenant's plan {@code seq}: its line, or that it was skipped (a newer plan of the
 * same transaction overtook it before its content was complete). Every plan has exactly one outcome,
 * so the tenant's lines can be put back in plan order.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public sealed interface PlanOutcome {

    String tenant();

    long seq();

    record Written(long seq, TransactionRevision revision) implements PlanOutcome {
        @Override
        public String tenant() {
            return revision.tenant();
        }
    }

    record Skipped(String tenant, long seq) implements PlanOutcome {}
}
