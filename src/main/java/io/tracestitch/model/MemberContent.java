package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** One member trace's content and invocations, sent for revision {@code revision} of a transaction. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record MemberContent(
        String tenant, String transactionId, int revision, TraceDigest digest, Invocation[] invocations) {}
