package io.tracestitch.operators.output.otlp;

import io.tracestitch.model.JoinKey;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which span each member trace of a transaction hangs from: the producer span of the hop that
 * started it. A trace's candidate hops are every message it received that a span of another member
 * trace published (the hop edges of the line) and every link of its spans to a span of another member.
 * Each trace takes its best candidate (the earliest receiving span, then the earliest-ending producer,
 * then ids) among those whose producer trace already hangs from something, round by round from the
 * traces that received nothing inside the transaction (its origins); so the result is a forest, never a
 * cycle, and depends only on the spans, not on their order. Traces left over (a cycle of links with
 * no origin) start from the earliest of them.
 */
final class HopParents {

    /** The hop a consumer trace hangs from; {@code messageId} is null for a link. */
    record Hop(Span consumer, Span producer, String system, String messageId) {
        double delayMs() {
            return consumer.startMs() - producer.endMs();
        }
    }

    static final String LINK = "link";

    private static final Comparator<Hop> BEST_FIRST = Comparator
            .comparingDouble((Hop h) -> h.consumer().startMs())
            .thenComparing(h -> h.consumer().spanId())
            .thenComparingDouble(h -> h.producer().endMs())
            .thenComparing(h -> h.producer().traceId())
            .thenComparing(h -> h.producer().spanId())
            .thenComparing(Hop::system)
            .thenComparing(h -> h.messageId() == null ? "" : h.messageId());

    private HopParents() {}

    /**
     * The hop of every member trace that hangs from another, by consumer trace id; origins are absent.
     * {@code traces}: the member traces' spans, each trace's spans by span id.
     */
    static Map<String, Hop> of(Map<String, Map<String, Span>> traces) {
        Map<String, List<Hop>> candidates = candidates(traces);
        Map<String, Hop> chosen = new HashMap<>();
        List<String> unattached = new ArrayList<>();
        Set<String> attached = new HashSet<>();
        for (String traceId : new TreeSet<>(traces.keySet())) {
            if (candidates.containsKey(traceId)) {
                unattached.add(traceId);
            } else {
                attached.add(traceId);
            }
        }
        while (!unattached.isEmpty()) {
            Map<String, Hop> round = new TreeMap<>();
            for (String traceId : unattached) {
                candidates.get(traceId).stream().filter(h -> attached.contains(h.producer().traceId()))
                        .min(BEST_FIRST).ifPresent(h -> round.put(traceId, h));
            }
            if (round.isEmpty()) {
                // Only cycles are left: the earliest of them starts on its own.
                String origin = unattached.stream()
                        .min(Comparator.comparingDouble((String t) -> earliestStart(traces.get(t))).thenComparing(t -> t))
                        .orElseThrow();
                unattached.remove(origin);
                attached.add(origin);
                continue;
            }
            chosen.putAll(round);
            attached.addAll(round.keySet());
            unattached.removeAll(round.keySet());
        }
        return chosen;
    }

    private static Map<String, List<Hop>> candidates(Map<String, Map<String, Span>> traces) {
        Map<JoinKey, List<Span>> publishers = new HashMap<>();
        for (Map<String, Span> trace : traces.values()) {
            for (Span span : trace.values()) {
                for (MessageRef ref : span.messages()) {
                    if (ref.publish()) {
                        publishers.computeIfAbsent(ref.joinKey(), k -> new ArrayList<>()).add(span);
                    }
                }
            }
        }
        Map<String, List<Hop>> candidates = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Span>> trace : traces.entrySet()) {
            for (Span span : trace.getValue().values()) {
                for (MessageRef ref : span.messages()) {
                    if (ref.publish()) {
                        continue;
                    }
                    for (Span producer : publishers.getOrDefault(ref.joinKey(), List.of())) {
                        if (!producer.traceId().equals(trace.getKey())) {
                            candidates.computeIfAbsent(trace.getKey(), k -> new ArrayList<>())
                                    .add(new Hop(span, producer, ref.system(), ref.id()));
                        }
                    }
                }
                for (SpanLink link : span.links()) {
                    Map<String, Span> linkedTrace = traces.get(link.traceId());
                    Span producer = linkedTrace == null || link.spanId() == null ? null : linkedTrace.get(link.spanId());
                    if (producer != null && !link.traceId().equals(trace.getKey())) {
                        candidates.computeIfAbsent(trace.getKey(), k -> new ArrayList<>())
                                .add(new Hop(span, producer, LINK, null));
                    }
                }
            }
        }
        return candidates;
    }

    private static double earliestStart(Map<String, Span> trace) {
        return trace.values().stream().mapToDouble(Span::startMs).min().orElse(Double.POSITIVE_INFINITY);
    }
}
