package io.tracestitch.operators.output;

import com.fasterxml.jackson.core.JsonGenerator;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.Json;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.trace.TraceDigests;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one transaction revision as a JSON line (UTF-8): its traces, spans, invocations, caps and
 * its {@link TransactionGraph}. Members' spans were rendered once when their trace closed; here they
 * are only copied. Every list is sorted, so the same transaction always gives the same line.
 */
public final class TransactionJson {

    public static final String MAX_SPANS = "max-spans";
    public static final String MAX_SIDES_PER_KEY = "max-sides-per-key";

    private static final int HEAD_ESTIMATE = 2048;
    private static final Comparator<TraceDigest> TRACE_ORDER =
            Comparator.comparingDouble(TraceDigest::startMs).thenComparing(TraceDigest::traceId);

    private final StitchConfig config;

    public TransactionJson(StitchConfig config) {
        this.config = config;
    }

    public byte[] write(TransactionPlan plan, List<MemberContent> members) {
        List<TraceDigest> traces = new ArrayList<>(members.size());
        Map<String, Invocation> invocations = new TreeMap<>();
        for (MemberContent member : members) {
            traces.add(member.digest());
            for (Invocation invocation : member.invocations()) {
                invocations.merge(invocation.requestId(), invocation, Invocation::merge);
            }
        }
        traces.sort(TRACE_ORDER);
        int spanCount = 0;
        int errors = 0;
        double start = Double.POSITIVE_INFINITY;
        double end = Double.NEGATIVE_INFINITY;
        List<String> traceIds = new ArrayList<>(traces.size());
        List<TraceDigest> refusing = new ArrayList<>();
        for (TraceDigest trace : traces) {
            traceIds.add(trace.traceId());
            spanCount += trace.spanCount();
            errors += trace.errorSpans();
            if (trace.spanCount() > 0) {
                start = Math.min(start, trace.startMs());
                end = Math.max(end, trace.endMs());
            }
            if (trace.spansRefused() > 0) {
                refusing.add(trace);
            }
        }
        traceIds.sort(null);
        refusing.sort(Comparator.comparing(TraceDigest::traceId));
        for (Invocation invocation : invocations.values()) {
            errors += invocation.timedOut() || Invocation.ERROR.equals(invocation.status()) ? 1 : 0;
        }
        if (spanCount == 0) {
            start = end = Double.NaN;
        }
        boolean cut = spanCount > config.maxSpansPerTransaction();
        // Room for the spans plus a typical head (ids, graph, invocations), so the buffer rarely grows.
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                HEAD_ESTIMATE + 256 * traces.size() + (config.includeSpans() ? totalJson(traces) : 0));
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("transactionId", plan.transactionId());
            g.writeStringField("tenant", plan.tenant());
            g.writeNumberField("revision", plan.revision());
            stringArray(g, "supersedes", List.of(plan.supersedes()));
            stringArray(g, "traceIds", traceIds);
            g.writeNumberField("spanCount", spanCount);
            number(g, "startMs", start);
            number(g, "endMs", end);
            number(g, "durationMs", end - start);
            g.writeNumberField("errorCount", errors);
            stringArray(g, "upstreamTransactions", List.of(plan.upstreamTransactions()));
            unmatched(g, plan);
            g.writeArrayFieldStart("invocations");
            for (Invocation invocation : invocations.values()) {
                invocation(g, invocation);
            }
            g.writeEndArray();
            graph(g, TransactionGraph.of(traces.stream().map(TraceDigests::graph).toList()));
            g.writeBooleanField("truncated", cut || !refusing.isEmpty());
            capped(g, refusing, plan.cappedKeys());
            if (config.includeSpans()) {
                g.writeArrayFieldStart("spans");
                g.flush();
                writeSpans(out, traces, config.maxSpansPerTransaction());
                // The generator still thinks the array is empty; the raw comma-free end keeps it valid.
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static int totalJson(List<TraceDigest> traces) {
        int total = 0;
        for (TraceDigest trace : traces) {
            total += trace.spansLength() + trace.spanCount();
        }
        return total;
    }

    /** Copies the rendered spans, comma-separated, stopping after {@code limit} (truncation). */
    private static void writeSpans(ByteArrayOutputStream out, List<TraceDigest> traces, int limit) {
        int written = 0;
        for (TraceDigest trace : traces) {
            if (written == limit) {
                return;
            }
            byte[] json = TraceDigests.spansJson(trace);
            int from = 0;
            for (int end : trace.spanEnds()) {
                if (written == limit) {
                    return;
                }
                if (written++ > 0) {
                    out.write(',');
                }
                out.write(json, from, end - from);
                from = end;
            }
        }
    }

    private static void graph(JsonGenerator g, TransactionGraph graph) throws IOException {
        g.writeArrayFieldStart("nodes");
        for (TransactionGraph.Node node : graph.nodes()) {
            g.writeStartObject();
            g.writeStringField("id", node.id());
            g.writeStringField("type", node.type().wireName());
            g.writeStringField("name", node.name());
            if (node.system() != null) {
                g.writeStringField("system", node.system());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("edges");
        for (TransactionGraph.CountedEdge edge : graph.edges()) {
            g.writeStartObject();
            g.writeStringField("type", edge.type().wireName());
            g.writeStringField("from", edge.from());
            g.writeStringField("to", edge.to());
            g.writeNumberField("count", edge.count());
            g.writeEndObject();
        }
        for (TransactionGraph.Hop hop : graph.hops()) {
            g.writeStartObject();
            g.writeStringField("type", "hop");
            g.writeStringField("from", hop.from());
            g.writeStringField("to", hop.to());
            g.writeStringField("via", hop.via());
            g.writeStringField("system", hop.system());
            g.writeStringField("messageId", hop.messageId());
            number(g, "delayMs", hop.delayMs());
            g.writeStringField("producerTraceId", hop.producerTraceId());
            g.writeStringField("consumerTraceId", hop.consumerTraceId());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Message references first (their join key's fields), then linked traces. */
    private static void unmatched(JsonGenerator g, TransactionPlan plan) throws IOException {
        g.writeArrayFieldStart("unmatched");
        for (JoinKey key : plan.unmatchedMessages()) {
            g.writeStartObject();
            joinKeyFields(g, key);
            g.writeEndObject();
        }
        for (String traceId : plan.unmatchedLinks()) {
            g.writeStartObject();
            g.writeStringField("linkedTraceId", traceId);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** What limits this revision hit: traces that refused spans, then join keys whose pairing was full. */
    private static void capped(JsonGenerator g, List<TraceDigest> refusing, JoinKey[] cappedKeys) throws IOException {
        g.writeArrayFieldStart("capped");
        for (TraceDigest trace : refusing) {
            g.writeStartObject();
            g.writeStringField("limit", MAX_SPANS);
            g.writeStringField("traceId", trace.traceId());
            g.writeNumberField("spansRefused", trace.spansRefused());
            g.writeEndObject();
        }
        for (JoinKey key : cappedKeys) {
            g.writeStartObject();
            g.writeStringField("limit", MAX_SIDES_PER_KEY);
            joinKeyFields(g, key);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** {@code system}, {@code destination} (Kinesis only: the stream is part of the key) and {@code id}. */
    private static void joinKeyFields(JsonGenerator g, JoinKey key) throws IOException {
        g.writeStringField("system", key.system());
        if (JoinKey.KINESIS.equals(key.system())) {
            g.writeStringField("destination", key.stream());
        }
        g.writeStringField("id", key.id());
    }

    private static void invocation(JsonGenerator g, Invocation i) throws IOException {
        g.writeStartObject();
        g.writeStringField("requestId", i.requestId());
        g.writeStringField("function", i.function());
        g.writeBooleanField("coldStart", i.coldStart());
        number(g, "initDurationMs", i.initDurationMs());
        number(g, "restoreDurationMs", i.restoreDurationMs());
        number(g, "durationMs", i.durationMs());
        number(g, "billedDurationMs", i.billedDurationMs());
        number(g, "memorySizeMb", i.memorySizeMb());
        number(g, "maxMemoryUsedMb", i.maxMemoryUsedMb());
        g.writeBooleanField("timedOut", i.timedOut());
        g.writeStringField("status", i.status());
        g.writeStringField("errorType", i.errorType());
        g.writeEndObject();
    }

    private static void stringArray(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    /** NaN (not reported) is written as null; times and durations are rounded to microseconds. */
    private static void number(JsonGenerator g, String field, double value) throws IOException {
        g.writeFieldName(field);
        if (Double.isNaN(value)) {
            g.writeNull();
        } else {
            Json.writeMillis(g, value);
        }
    }
}
