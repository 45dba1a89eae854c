package io.tracestitch.operators.output;

import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * A revision as records of a compacted topic keyed {@code <tenant>/<transactionId>}: a tombstone
 * for every id it supersedes, then its line. Chained to Order lines and the sink, all of one
 * revision's records go through one producer and so into one Kafka transaction: a reader never sees
 * the new line committed without the tombstones, nor the tombstones without it.
 */
public final class TopicRecordsFunction implements FlatMapFunction<TransactionRevision, TopicRecord> {

    @Override
    public void flatMap(TransactionRevision revision, Collector<TopicRecord> out) {
        for (String superseded : revision.supersedes()) {
            out.collect(new TopicRecord(key(revision.tenant(), superseded), null));
        }
        out.collect(new TopicRecord(key(revision.tenant(), revision.transactionId()), revision.line()));
    }

    /** The record key of a transaction: {@code <tenant>/<transactionId>}. */
    public static byte[] key(String tenant, String transactionId) {
        return (tenant + "/" + transactionId).getBytes(StandardCharsets.UTF_8);
    }
}
