package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One revision of a transaction as the job emits it: its JSON line (UTF-8) with what a keyed sink needs
 * beside it, the id and the ids this revision supersedes (a compacted topic writes a tombstone for
 * each).
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TransactionRevision(String tenant, String transactionId, int revision, String[] supersedes,
        byte[] line) {}
