package io.tracestitch.operators.output;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by tenant, right after Order lines (same partitioning, no shuffle): a revision as records
 * of a compacted topic keyed {@code <tenant>/<transactionId>}, a tombstone for each id it newly
 * supersedes, then its line. {@code supersedes} is cumulative, so without this every revision would
 * repeat the tombstones of all earlier ones; each id gets one tombstone, also an id that never had a
 * line (a no-op for a reader and for compaction). Chained to the sink, one revision's records go
 * through one producer and so into one Kafka transaction: a reader never sees the new line
 * committed without its tombstones, nor the tombstones without it.
 *
 * <p>State: the tenant's tombstoned ids, expiring with the horizon. An id whose entry expired may
 * get a second tombstone, never a missing one.
 */
public final class TopicRecordsFunction extends KeyedProcessFunction<String, TransactionRevision, TopicRecord> {

    private final StitchConfig config;
    private transient MapState<String, Boolean> tombstoned;
    private transient Tally tombstones;

    public TopicRecordsFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        MapStateDescriptor<String, Boolean> descriptor = new MapStateDescriptor<>("tombstoned", Types.STRING, Types.BOOLEAN);
        Timers.expireAfter(descriptor, config.horizon());
        tombstoned = getRuntimeContext().getMapState(descriptor);
        tombstones = new Tally(getRuntimeContext(), "tombstonesOut");
    }

    @Override
    public void processElement(TransactionRevision revision, Context ctx, Collector<TopicRecord> out) throws Exception {
        for (String superseded : revision.supersedes()) {
            if (!tombstoned.contains(superseded)) {
                tombstoned.put(superseded, Boolean.TRUE);
                tombstones.inc();
                out.collect(new TopicRecord(key(revision.tenant(), superseded), null));
            }
        }
        out.collect(new TopicRecord(key(revision.tenant(), revision.transactionId()), revision.line()));
    }

    /** The record key of a transaction: {@code <tenant>/<transactionId>}. */
    private static byte[] key(String tenant, String transactionId) {
        return (tenant + "/" + transactionId).getBytes(StandardCharsets.UTF_8);
    }
}
