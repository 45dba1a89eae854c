package io.tracestitch.model;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/** One member trace's content and invocations, sent for the tenant's plan {@code seq} of {@code transactionId}. */
@TypeInfo(CompactRecordSerializer.Factory.class)
public record MemberContent(String tenant, long seq, String transactionId, String traceId, TraceDigest digest,
        Invocation[] invocations) implements AssemblyInput {}
