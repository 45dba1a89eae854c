package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One Kafka record to write: its key and value as UTF-8 bytes; a null value is a tombstone (the
 * key's earlier values may be dropped by compaction), a null key lets the producer spread records.
 */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record TopicRecord(byte[] key, byte[] value) {}
