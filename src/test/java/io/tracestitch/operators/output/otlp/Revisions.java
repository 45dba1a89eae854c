package io.tracestitch.operators.output.otlp;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.output.TransactionJson;
import io.tracestitch.operators.trace.TraceDigests;
import io.tracestitch.testing.Plans;
import io.tracestitch.testing.Spans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Revisions as the job writes them (its own {@link TransactionJson}), from spans and invocations. */
final class Revisions {

    static final String TENANT = Spans.TENANT;
    static final long T0 = 1_732_400_000_000L;

    private final String transactionId;
    private final int revision;
    private final Map<String, List<Span>> traces = new LinkedHashMap<>();
    private final List<Invocation> invocations = new ArrayList<>();
    private String[] supersedes = {};
    private String[] upstream = {};
    private StitchConfig config = StitchConfig.defaults();

    private Revisions(String transactionId, int revision) {
        this.transactionId = transactionId;
        this.revision = revision;
    }

    static Revisions of(String transactionId, int revision) {
        return new Revisions(transactionId, revision);
    }

    Revisions spans(Span... spans) {
        for (Span span : spans) {
            traces.computeIfAbsent(span.traceId(), t -> new ArrayList<>()).add(span);
        }
        return this;
    }

    Revisions invocation(Invocation invocation) {
        invocations.add(invocation);
        return this;
    }

    Revisions supersedes(String... ids) {
        supersedes = ids;
        return this;
    }

    Revisions upstream(String... ids) {
        upstream = ids;
        return this;
    }

    Revisions config(StitchConfig config) {
        this.config = config;
        return this;
    }

    TransactionRevision build() {
        TransactionPlan plan = Plans.plan(1, transactionId, revision).members(traces.keySet().toArray(new String[0]))
                .supersedes(supersedes).upstream(upstream).build();
        List<MemberContent> members = new ArrayList<>();
        traces.forEach((traceId, spans) -> members.add(new MemberContent(TENANT, 1, transactionId, traceId,
                TraceDigests.of(traceId, spans.toArray(new Span[0])), invocations.stream()
                        .filter(i -> spans.stream().anyMatch(s -> i.requestId().equals(s.requestId())))
                        .toArray(Invocation[]::new))));
        return new TransactionRevision(TENANT, transactionId, revision, supersedes,
                new TransactionJson(config).write(plan, members));
    }

    RevisionContent content() {
        return RevisionContent.of(build());
    }

    /** A span of {@code service}, {@code startMs} after {@link #T0}, 10 ms long. */
    static Span span(String traceId, String spanId, String parent, String service, String kind, long startMs,
            String requestId, MessageRef[] messages, SpanLink[] links) {
        return new Span(TENANT, traceId, spanId, parent, service, service + " op", kind, T0 + startMs, T0 + startMs + 10,
                false, requestId, messages, links, "{}");
    }

    static Span span(String traceId, String spanId, String parent, long startMs, MessageRef... messages) {
        return span(traceId, spanId, parent, "svc-" + traceId.substring(0, 4), "internal", startMs, null, messages,
                new SpanLink[0]);
    }

    static MessageRef[] refs(MessageRef... refs) {
        return Arrays.copyOf(refs, refs.length);
    }
}
