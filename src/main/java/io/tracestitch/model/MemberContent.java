package io.tracestitch.model;

/** One member trace's spans and invocations, sent for revision {@code revision} of a transaction. */
public record MemberContent(
        String tenant, String transactionId, int revision, String traceId, Span[] spans, Invocation[] invocations) {}
