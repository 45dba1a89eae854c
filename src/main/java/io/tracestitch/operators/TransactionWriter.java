package io.tracestitch.operators;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.Destinations;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.model.TransactionPlan;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes one transaction revision as a JSON line: its traces, spans, invocations and the graph of
 * functions and the topics, queues, streams and buses between them. Every collection is sorted, so
 * the same transaction always gives the same line.
 */
public final class TransactionWriter {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Comparator<Span> SPAN_ORDER =
            Comparator.comparingDouble(Span::startMs).thenComparing(Span::traceId).thenComparing(Span::spanId);

    private final StitchConfig config;

    public TransactionWriter(StitchConfig config) {
        this.config = config;
    }

    public String write(TransactionPlan plan, List<MemberContent> members) {
        List<Span> spans = new ArrayList<>();
        Map<String, Invocation> invocations = new TreeMap<>();
        List<String> traceIds = new ArrayList<>();
        for (MemberContent member : members) {
            traceIds.add(member.traceId());
            spans.addAll(List.of(member.spans()));
            for (Invocation invocation : member.invocations()) {
                invocations.merge(invocation.requestId(), invocation, Invocation::merge);
            }
        }
        traceIds.sort(null);
        spans.sort(SPAN_ORDER);
        StringWriter text = new StringWriter(256 + spans.size() * 360);
        try (JsonGenerator g = JSON.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("transactionId", plan.transactionId());
            g.writeStringField("tenant", plan.tenant());
            g.writeNumberField("revision", plan.revision());
            stringArray(g, "supersedes", List.of(plan.supersedes()));
            stringArray(g, "traceIds", traceIds);
            g.writeNumberField("spanCount", spans.size());
            double start = spans.stream().mapToDouble(Span::startMs).min().orElse(Double.NaN);
            double end = spans.stream().mapToDouble(Span::endMs).max().orElse(Double.NaN);
            number(g, "startMs", start);
            number(g, "endMs", end);
            number(g, "durationMs", end - start);
            g.writeNumberField("errorCount", errorCount(spans, invocations.values()));
            stringArray(g, "upstreamTransactions", List.of(plan.upstreamTransactions()));
            unmatched(g, plan.unmatched());
            g.writeArrayFieldStart("invocations");
            for (Invocation invocation : invocations.values()) {
                invocation(g, invocation);
            }
            g.writeEndArray();
            graph(g, spans);
            boolean truncated = spans.size() > config.maxSpansPerTransaction();
            g.writeBooleanField("truncated", truncated);
            if (config.includeSpans()) {
                g.writeArrayFieldStart("spans");
                int limit = Math.min(spans.size(), config.maxSpansPerTransaction());
                for (int i = 0; i < limit; i++) {
                    span(g, spans.get(i));
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Failed spans, plus invocations that timed out or failed. */
    private static int errorCount(List<Span> spans, Iterable<Invocation> invocations) {
        int errors = 0;
        for (Span span : spans) {
            errors += span.error() ? 1 : 0;
        }
        for (Invocation invocation : invocations) {
            errors += invocation.timedOut() || "error".equals(invocation.status()) ? 1 : 0;
        }
        return errors;
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

    /**
     * Nodes: functions (span services) and messaging resources. Edges: calls between functions
     * (a span whose parent belongs to another service), publish and consume edges between functions
     * and resources, and one hop edge per message delivered inside the transaction, with its delay
     * from the end of the publishing span to the start of the receiving one.
     */
    private static void graph(JsonGenerator g, List<Span> spans) throws IOException {
        Map<String, String[]> nodes = new TreeMap<>();
        Map<String, Span> byId = new HashMap<>();
        Map<String, List<Span>> publishers = new HashMap<>();
        for (Span span : spans) {
            byId.put(span.traceId() + '/' + span.spanId(), span);
            nodes.put("function:" + span.service(), new String[] {"function", span.service(), null});
            for (MessageRef ref : span.messages()) {
                nodes.put(resourceId(ref), new String[] {resourceType(ref.system()), ref.destination(), ref.system()});
                if (ref.publish()) {
                    publishers.computeIfAbsent(ref.joinKey(), k -> new ArrayList<>()).add(span);
                }
            }
        }
        g.writeArrayFieldStart("nodes");
        for (Map.Entry<String, String[]> node : nodes.entrySet()) {
            g.writeStartObject();
            g.writeStringField("id", node.getKey());
            g.writeStringField("type", node.getValue()[0]);
            g.writeStringField("name", node.getValue()[1]);
            if (node.getValue()[2] != null) {
                g.writeStringField("system", node.getValue()[2]);
            }
            g.writeEndObject();
        }
        g.writeEndArray();

        Map<String, int[]> counted = new TreeMap<>();
        List<String[]> hops = new ArrayList<>();
        for (Span span : spans) {
            String self = "function:" + span.service();
            Span parent = span.parentSpanId() == null ? null : byId.get(span.traceId() + '/' + span.parentSpanId());
            if (parent != null && !parent.service().equals(span.service())) {
                counted.computeIfAbsent("call\u0000function:" + parent.service() + "\u0000" + self, k -> new int[1])[0]++;
            }
            for (MessageRef ref : span.messages()) {
                String resource = resourceId(ref);
                if (ref.publish()) {
                    counted.computeIfAbsent("publish\u0000" + self + "\u0000" + resource, k -> new int[1])[0]++;
                    continue;
                }
                counted.computeIfAbsent("consume\u0000" + resource + "\u0000" + self, k -> new int[1])[0]++;
                for (Span producer : publishers.getOrDefault(ref.joinKey(), List.of())) {
                    if (producer.traceId().equals(span.traceId()) && producer.spanId().equals(span.spanId())) {
                        continue;
                    }
                    hops.add(new String[] {"function:" + producer.service(), self, resource, ref.system(), ref.id(),
                            Double.toString(span.startMs() - producer.endMs()), producer.traceId(), span.traceId()});
                }
            }
        }
        hops.sort(Comparator.comparing((String[] h) -> h[4]).thenComparing(h -> h[6]).thenComparing(h -> h[7]));
        g.writeArrayFieldStart("edges");
        for (Map.Entry<String, int[]> edge : counted.entrySet()) {
            String[] parts = edge.getKey().split("\u0000");
            g.writeStartObject();
            g.writeStringField("type", parts[0]);
            g.writeStringField("from", parts[1]);
            g.writeStringField("to", parts[2]);
            g.writeNumberField("count", edge.getValue()[0]);
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

    private static String resourceId(MessageRef ref) {
        return ref.system() + ":" + ref.destination();
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

    static void span(JsonGenerator g, Span s) throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", s.traceId());
        g.writeStringField("spanId", s.spanId());
        g.writeStringField("parentSpanId", s.parentSpanId());
        g.writeStringField("service", s.service());
        g.writeStringField("name", s.name());
        g.writeStringField("kind", s.kind());
        g.writeNumberField("startMs", s.startMs());
        g.writeNumberField("endMs", s.endMs());
        g.writeStringField("status", s.error() ? "error" : "ok");
        g.writeStringField("requestId", s.requestId());
        g.writeArrayFieldStart("messages");
        for (MessageRef m : s.messages()) {
            g.writeStartObject();
            g.writeStringField("system", m.system());
            g.writeStringField("operation", m.operation());
            g.writeStringField("destination", m.destination());
            g.writeStringField("id", m.id());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("links");
        for (SpanLink l : s.links()) {
            g.writeStartObject();
            g.writeStringField("traceId", l.traceId());
            g.writeStringField("spanId", l.spanId());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeFieldName("attributes");
        g.writeRawValue(s.attributesJson());
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
        if (Double.isNaN(value)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, Math.round(value * 1000.0) / 1000.0);
        }
    }
}
