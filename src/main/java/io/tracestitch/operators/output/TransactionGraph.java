package io.tracestitch.operators.output;

import io.tracestitch.model.JoinKey;
import io.tracestitch.model.TraceGraph;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The graph of one transaction revision, from its members' {@link TraceGraph} pieces: functions (span services) and
 * messaging resources as nodes; calls, publishes and consumes as counted edges; and one hop per
 * message delivered inside the transaction, with its delay from the end of the publishing span to
 * the start of the receiving one. Every list is sorted, so the same traces always give the same graph.
 */
public record TransactionGraph(List<Node> nodes, List<CountedEdge> edges, List<Hop> hops) {

    public enum NodeType {
        FUNCTION, TOPIC, QUEUE, STREAM, BUS, RESOURCE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static NodeType ofSystem(String system) {
            return switch (system) {
                case "sns" -> TOPIC;
                case "sqs" -> QUEUE;
                case JoinKey.KINESIS -> STREAM;
                case "eventbridge" -> BUS;
                default -> RESOURCE;
            };
        }
    }

    /** {@code system} is null for a function. */
    public record Node(String id, NodeType type, String name, String system) {}

    public record CountedEdge(TraceGraph.EdgeType type, String from, String to, int count) {}

    /** {@code via}: the resource as the consumer names it. {@code delayMs} can be negative (clock skew). */
    public record Hop(String from, String to, String via, String system, String messageId, double delayMs,
            String producerTraceId, String consumerTraceId) {}

    private static final Comparator<CountedEdge> EDGE_ORDER = Comparator
            .comparing((CountedEdge e) -> e.type().wireName())
            .thenComparing(CountedEdge::from).thenComparing(CountedEdge::to);
    private static final Comparator<Hop> HOP_ORDER = Comparator.comparing(Hop::messageId)
            .thenComparing(Hop::producerTraceId).thenComparing(Hop::consumerTraceId)
            .thenComparing(Hop::from).thenComparing(Hop::to).thenComparing(Hop::via)
            .thenComparingDouble(Hop::delayMs);

    public static TransactionGraph of(List<TraceGraph> traces) {
        Map<String, Node> nodes = new TreeMap<>();
        Map<TraceGraph.Edge, Integer> counts = new HashMap<>();
        Map<JoinKey, List<Publish>> publishes = new HashMap<>();
        for (TraceGraph trace : traces) {
            for (String service : trace.services()) {
                String id = TraceGraph.functionNodeId(service);
                nodes.putIfAbsent(id, new Node(id, NodeType.FUNCTION, service, null));
            }
            for (TraceGraph.Resource resource : trace.resources()) {
                nodes.putIfAbsent(resource.nodeId(), new Node(resource.nodeId(),
                        NodeType.ofSystem(resource.system()), resource.name(), resource.system()));
            }
            for (int i = 0; i < trace.edges().length; i++) {
                counts.merge(trace.edges()[i], trace.edgeCounts()[i], Integer::sum);
            }
            for (TraceGraph.HopEnd publish : trace.publishes()) {
                publishes.computeIfAbsent(publish.key(), k -> new ArrayList<>()).add(new Publish(trace, publish));
            }
        }
        List<CountedEdge> edges = new ArrayList<>(counts.size());
        counts.forEach((edge, count) -> edges.add(new CountedEdge(edge.type(), edge.from(), edge.to(), count)));
        edges.sort(EDGE_ORDER);

        List<Hop> hops = new ArrayList<>();
        for (TraceGraph consumer : traces) {
            for (TraceGraph.HopEnd receive : consumer.receives()) {
                for (Publish p : publishes.getOrDefault(receive.key(), List.of())) {
                    if (p.trace() == consumer && p.end().span() == receive.span()) {
                        continue; // a span that publishes and receives one message is no hop
                    }
                    hops.add(new Hop(TraceGraph.functionNodeId(p.trace().services()[p.end().service()]),
                            TraceGraph.functionNodeId(consumer.services()[receive.service()]),
                            consumer.resources()[receive.resource()].nodeId(), receive.key().system(),
                            receive.key().id(), receive.timeMs() - p.end().timeMs(), p.trace().traceId(),
                            consumer.traceId()));
                }
            }
        }
        hops.sort(HOP_ORDER);
        return new TransactionGraph(new ArrayList<>(nodes.values()), edges, hops);
    }

    private record Publish(TraceGraph trace, TraceGraph.HopEnd end) {}
}
