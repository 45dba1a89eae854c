package io.tracestitch.model;

/**
 * Input of the per-trace content store, one of: newly closed spans, an invocation update, or a
 * request to send the trace's content to revision {@code revision} of transaction {@code txnId},
 * answered once the store's watermark reaches {@code fence} (so every change the resolver saw has
 * arrived here too).
 */
public record ContentInput(
        String tenant, String traceId, Span[] spans, Invocation invocation, String txnId, int revision, long fence) {

    private static final Span[] NO_SPANS = new Span[0];

    public static ContentInput spans(String tenant, String traceId, Span[] spans) {
        return new ContentInput(tenant, traceId, spans, null, null, 0, Long.MIN_VALUE);
    }

    public static ContentInput invocation(String tenant, String traceId, Invocation invocation) {
        return new ContentInput(tenant, traceId, NO_SPANS, invocation, null, 0, Long.MIN_VALUE);
    }

    public static ContentInput request(String tenant, String traceId, String txnId, int revision, long fence) {
        return new ContentInput(tenant, traceId, NO_SPANS, null, txnId, revision, fence);
    }

    public boolean isRequest() {
        return txnId != null;
    }

    public String key() {
        return Keys.of(tenant, traceId);
    }
}
