package io.tracestitch.operators.trace;

import io.tracestitch.model.CompactRecordSerializer;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.Json;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.model.TraceGraph;
import io.tracestitch.operators.SpanCompression;
import io.tracestitch.operators.ingest.RecordParser;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Builds {@link TraceDigest}s from spans, and spans back from a digest when a late span has to be
 * merged in. Rendered spans are valid input records ({@code "type":"span"}), so a digest decodes
 * with the ordinary {@link RecordParser}.
 */
public final class TraceDigests {

    private static final CompactRecordSerializer<TraceGraph> GRAPH = new CompactRecordSerializer<>(TraceGraph.class);
    static final Comparator<Span> SPAN_ORDER =
            Comparator.comparingDouble(Span::startMs).thenComparing(Span::spanId);

    private TraceDigests() {}

    /** The digest of one trace's distinct spans (duplicates already unioned). */
    public static TraceDigest of(String traceId, Span[] distinctSpans) {
        Span[] spans = distinctSpans.clone();
        Arrays.sort(spans, SPAN_ORDER);
        Map<String, Integer> services = new LinkedHashMap<>();
        Map<TraceGraph.Resource, Integer> resources = new LinkedHashMap<>();
        Map<TraceGraph.Edge, int[]> edges = new LinkedHashMap<>();
        Map<String, Span> bySpanId = new HashMap<>();
        List<TraceGraph.HopEnd> publishes = new ArrayList<>();
        List<TraceGraph.HopEnd> receives = new ArrayList<>();
        for (Span span : spans) {
            bySpanId.put(span.spanId(), span);
        }
        RenderedSpans json = new RenderedSpans(spans.length * 400);
        int[] spanEnds = new int[spans.length];
        double start = Double.POSITIVE_INFINITY;
        double end = Double.NEGATIVE_INFINITY;
        int errors = 0;
        try (JsonGenerator g = Json.FACTORY.createGenerator(json)) {
            g.setRootValueSeparator(null);
            for (int i = 0; i < spans.length; i++) {
                Span span = spans[i];
                start = Math.min(start, span.startMs());
                end = Math.max(end, span.endMs());
                errors += span.error() ? 1 : 0;
                int service = services.computeIfAbsent(span.service(), k -> services.size());
                String self = TraceGraph.functionNodeId(span.service());
                Span parent = span.parentSpanId() == null ? null : bySpanId.get(span.parentSpanId());
                if (parent != null && !parent.service().equals(span.service())) {
                    count(edges, new TraceGraph.Edge(TraceGraph.EdgeType.CALL, TraceGraph.functionNodeId(parent.service()), self));
                }
                for (MessageRef ref : span.messages()) {
                    TraceGraph.Resource resource = new TraceGraph.Resource(ref.system(), ref.destination());
                    int resourceIndex = resources.computeIfAbsent(resource, k -> resources.size());
                    if (ref.publish()) {
                        count(edges, new TraceGraph.Edge(TraceGraph.EdgeType.PUBLISH, self, resource.nodeId()));
                        publishes.add(new TraceGraph.HopEnd(ref.joinKey(), i, service, resourceIndex, span.endMs()));
                    } else {
                        count(edges, new TraceGraph.Edge(TraceGraph.EdgeType.CONSUME, resource.nodeId(), self));
                        receives.add(new TraceGraph.HopEnd(ref.joinKey(), i, service, resourceIndex, span.startMs()));
                    }
                }
                render(g, span);
                g.flush();
                spanEnds[i] = json.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int[] edgeCounts = edges.values().stream().mapToInt(c -> c[0]).toArray();
        TraceGraph graph = new TraceGraph(traceId, services.keySet().toArray(new String[0]),
                resources.keySet().toArray(new TraceGraph.Resource[0]), edges.keySet().toArray(new TraceGraph.Edge[0]),
                edgeCounts, publishes.toArray(new TraceGraph.HopEnd[0]), receives.toArray(new TraceGraph.HopEnd[0]));
        DataOutputSerializer graphBytes = new DataOutputSerializer(256);
        try {
            GRAPH.serialize(graph, graphBytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] compressed = SpanCompression.compress(graphBytes.getSharedBuffer(), graphBytes.length(), json.buffer(),
                json.size());
        return new TraceDigest(traceId, spans.length, 0, start, end, errors, compressed, graphBytes.length(), spanEnds);
    }

    /**
     * Adds a later close of the same trace to a digest: spans unioned with the known ones (rare: late
     * spans, so it decodes and rebuilds), the refused count is the later, cumulative one.
     */
    public static TraceDigest merge(TraceDigest known, TraceDigest added) {
        int refused = Math.max(known.spansRefused(), added.spansRefused());
        if (added.spanCount() == 0) {
            return known.withSpansRefused(refused);
        }
        List<Span> more = Arrays.asList(spans(added));
        return of(known.traceId(), SpanUnion.merge(spans(known), more)).withSpansRefused(refused);
    }

    /** Rendering target whose bytes are compressed where they lie, not copied out first (a huge trace's are large). */
    private static final class RenderedSpans extends ByteArrayOutputStream {
        RenderedSpans(int size) {
            super(size);
        }

        byte[] buffer() {
            return buf;
        }
    }

    /** The rendered spans, uncompressed. */
    public static byte[] spansJson(TraceDigest digest) {
        return SpanCompression.decompress(digest.compressed(), digest.graphLength(), digest.spansLength());
    }

    /** The trace's graph pieces (only they are inflated, not the spans after them). */
    public static TraceGraph graph(TraceDigest digest) {
        byte[] bytes = SpanCompression.decompress(digest.compressed(), 0, digest.graphLength());
        try {
            return GRAPH.deserialize(new DataInputDeserializer(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The spans a digest was built from. */
    public static Span[] spans(TraceDigest digest) {
        List<Span> spans = new ArrayList<>(digest.spanCount());
        byte[] json = spansJson(digest);
        int from = 0;
        for (int end : digest.spanEnds()) {
            spans.add(parseRendered(Arrays.copyOfRange(json, from, end)));
            from = end;
        }
        return spans.toArray(new Span[0]);
    }

    /**
     * One span record as {@link #render} wrote it (digests and transaction lines hold them), parsed
     * back by the input's parser; anything else is a bug, not a dead letter.
     */
    public static Span parseRendered(byte[] json) {
        Span[] parsed = new Span[1];
        new RecordParser().parse(json, new RecordParser.Output() {
            @Override
            public void span(Span span) {
                parsed[0] = span;
            }

            @Override
            public void log(LogFact log) {
                throw new IllegalStateException("a rendered span is a log record");
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                throw new IllegalStateException("a rendered span does not parse: " + deadLetter);
            }

            @Override
            public void ignored() {
                throw new IllegalStateException("a rendered span is no record");
            }
        });
        return parsed[0];
    }

    private static void count(Map<TraceGraph.Edge, int[]> edges, TraceGraph.Edge edge) {
        edges.computeIfAbsent(edge, k -> new int[1])[0]++;
    }

    /** One span as an input span record (the output copies these bytes; the benchmark renders the same way). */
    public static void render(JsonGenerator g, Span s) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "span");
        g.writeStringField("tenant", s.tenant());
        g.writeStringField("traceId", s.traceId());
        g.writeStringField("spanId", s.spanId());
        g.writeStringField("parentSpanId", s.parentSpanId());
        g.writeStringField("service", s.service());
        g.writeStringField("name", s.name());
        g.writeStringField("kind", s.kind());
        g.writeFieldName("startMs");
        Json.writeMillis(g, s.startMs());
        g.writeFieldName("endMs");
        Json.writeMillis(g, s.endMs());
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
}
