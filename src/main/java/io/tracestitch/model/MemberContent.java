package io.tracestitch.model;

/** One member trace's content and invocations, sent for revision {@code revision} of a transaction. */
public record MemberContent(
        String tenant, String transactionId, int revision, TraceDigest digest, Invocation[] invocations) {}
