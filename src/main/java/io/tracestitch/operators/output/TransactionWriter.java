package io.tracestitch.operators.output;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.Destinations;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.Json;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.trace.TraceDigests;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one transaction revision as a JSON line (UTF-8): its traces, spans, invocations and the
 * graph of functions and the topics, queues, streams and buses between them. Members' spans were
 * rendered once when their trace closed; here they are only copied. Every collection is sorted, so
 * the same transaction always gives the same line.
 */
public final class TransactionWriter {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Comparator<TraceDigest> TRACE_ORDER =
            Comparator.comparingDouble(TraceDigest::startMs).thenComparing(TraceDigest::traceId);

    private final StitchConfig config;

    public TransactionWriter(StitchConfig config) {
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
        for (TraceDigest trace : traces) {
            traceIds.add(trace.traceId());
            spanCount += trace.spanCount();
            errors += trace.errorSpans();
            if (trace.spanCount() > 0) {
                start = Math.min(start, trace.startMs());
                end = Math.max(end, trace.endMs());
            }
        }
        traceIds.sort(null);
        for (Invocation invocation : invocations.values()) {
            errors += invocation.timedOut() || "error".equals(invocation.status()) ? 1 : 0;
        }
        if (spanCount == 0) {
            start = end = Double.NaN;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 + (config.includeSpans() ? totalJson(traces) : 0));
        try (JsonGenerator g = JSON.createGenerator(out)) {
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
            unmatched(g, plan.unmatched());
            g.writeArrayFieldStart("invocations");
            for (Invocation invocation : invocations.values()) {
                invocation(g, invocation);
            }
            g.writeEndArray();
            graph(g, traces);
            g.writeBooleanField("truncated", spanCount > config.maxSpansPerTransaction());
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
            total += (trace.spanEnds().length == 0 ? 0 : trace.spanEnds()[trace.spanEnds().length - 1])
                    + trace.spanCount();
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

    /**
     * Nodes: functions (span services) and messaging resources. Edges: calls between functions
     * (a span whose parent belongs to another service), publish and consume edges between functions
     * and resources, and one hop edge per message delivered inside the transaction, with its delay
     * from the end of the publishing span to the start of the receiving one.
     */
    private static void graph(JsonGenerator g, List<TraceDigest> traces) throws IOException {
        TreeMap<String, Boolean> nodes = new TreeMap<>();
        TreeMap<String, Integer> counted = new TreeMap<>();
        Map<String, List<Object[]>> publishers = new HashMap<>();
        for (TraceDigest trace : traces) {
            for (String service : trace.services()) {
                nodes.put("function:" + service, true);
            }
            for (String resource : trace.resources()) {
                nodes.put(resource, false);
            }
            for (int i = 0; i < trace.edgeKeys().length; i++) {
                counted.merge(trace.edgeKeys()[i], trace.edgeCounts()[i], Integer::sum);
            }
            for (TraceDigest.HopEnd publish : trace.publishes()) {
                publishers.computeIfAbsent(publish.joinKey(), k -> new ArrayList<>()).add(new Object[] {trace, publish});
            }
        }
        g.writeArrayFieldStart("nodes");
        for (Map.Entry<String, Boolean> node : nodes.entrySet()) {
            g.writeStartObject();
            g.writeStringField("id", node.getKey());
            int colon = node.getKey().indexOf(':');
            String prefix = node.getKey().substring(0, colon);
            g.writeStringField("type", node.getValue() ? "function" : resourceType(prefix));
            g.writeStringField("name", node.getKey().substring(colon + 1));
            if (!node.getValue()) {
                g.writeStringField("system", prefix);
            }
            g.writeEndObject();
        }
        g.writeEndArray();

        List<String[]> hops = new ArrayList<>();
        for (TraceDigest consumer : traces) {
            for (TraceDigest.HopEnd receive : consumer.receives()) {
                for (Object[] p : publishers.getOrDefault(receive.joinKey(), List.of())) {
                    TraceDigest producer = (TraceDigest) p[0];
                    TraceDigest.HopEnd publish = (TraceDigest.HopEnd) p[1];
                    if (producer == consumer && publish.span() == receive.span()) {
                        continue;
                    }
                    String resource = consumer.resources()[receive.resource()];
                    String[] key = receive.joinKey().split(String.valueOf(Destinations.KEY_SEPARATOR), -1);
                    hops.add(new String[] {"function:" + producer.services()[publish.service()],
                            "function:" + consumer.services()[receive.service()], resource, key[1],
                            key[key.length - 1], Double.toString(receive.timeMs() - publish.timeMs()),
                            producer.traceId(), consumer.traceId()});
                }
            }
        }
        hops.sort(Comparator.comparing((String[] h) -> h[4]).thenComparing(h -> h[6]).thenComparing(h -> h[7]));
        g.writeArrayFieldStart("edges");
        for (Map.Entry<String, Integer> edge : counted.entrySet()) {
            String[] parts = edge.getKey().split("\u0000");
            g.writeStartObject();
            g.writeStringField("type", parts[0]);
            g.writeStringField("from", parts[1]);
            g.writeStringField("to", parts[2]);
            g.writeNumberField("count", edge.getValue());
            g.writeEndObject();
        }
        for (String[] hop : hops) {
            g.writeStartObject();
            g.writeStringField("type", "hop");
            g.writeStringField("from", hop[0]);
            g.writeStringField("to", hop[1]);
            g.writeStringField("via", hop[2]);
            g.writeStringField("system", hop[3]);
            g.writeStringField("messageId", hop[4]);
            number(g, "delayMs", Double.parseDouble(hop[5]));
            g.writeStringField("producerTraceId", hop[6]);
            g.writeStringField("consumerTraceId", hop[7]);
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static String resourceType(String system) {
        return switch (system) {
            case "sns" -> "topic";
            case "sqs" -> "queue";
            case "kinesis" -> "stream";
            case "eventbridge" -> "bus";
            default -> "resource";
        };
    }

    private static void unmatched(JsonGenerator g, String[] joinKeys) throws IOException {
        g.writeArrayFieldStart("unmatched");
        for (String key : joinKeys) {
            String[] parts = key.split(String.valueOf(Destinations.KEY_SEPARATOR), -1);
            g.writeStartObject();
            if ("link".equals(parts[1])) {
                g.writeStringField("linkedTraceId", parts[parts.length - 1]);
            } else {
                g.writeStringField("system", parts[1]);
                if (parts.length == 4) {
                    g.writeStringField("destination", parts[2]);
                }
                g.writeStringField("id", parts[parts.length - 1]);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
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

    /** NaN (not reported) is written as null; differences are rounded to microseconds. */
    private static void number(JsonGenerator g, String field, double value) throws IOException {
        g.writeFieldName(field);
        if (Double.isNaN(value)) {
            g.writeNull();
        } else {
            Json.writeMillis(g, value);
        }
    }
}
