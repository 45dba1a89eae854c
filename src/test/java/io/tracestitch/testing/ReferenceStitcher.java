package io.tracestitch.testing;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.operators.ingest.RecordParser;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The stitching rules of docs/stitching.md computed the plain way, as an oracle for the streaming
 * job: read every line, then apply the definitions in batch — producers, the move-into-the-producers'-transaction rule repeated
 * until nothing changes, fan-in upstreams, unmatched references, invocations from the logs. It
 * shares only parsing (records, log lines, destination normalisation) with the job, none of its
 * stitching code.
 */
public final class ReferenceStitcher {

    /** What one trace contributes, duplicates of a span counted once and their references unioned. */
    private static final class Trace {
        final String tenant;
        final String traceId;
        final Set<String> spanIds = new TreeSet<>();
        final Set<String> published = new TreeSet<>();
        final Set<String> received = new TreeSet<>();
        final Set<String> linkedTraces = new TreeSet<>();
        final Set<String> requestIds = new TreeSet<>();

        Trace(String tenant, String traceId) {
            this.tenant = tenant;
            this.traceId = traceId;
        }

        String key() {
            return tenant + "|" + traceId;
        }
    }

    private final Map<String, Trace> traces = new TreeMap<>();
    /** {@code tenant|joinKey} → keys of the traces that published it. */
    private final Map<String, Set<String>> publishers = new HashMap<>();
    private final Map<String, Invocation> invocations = new HashMap<>();
    private final Map<String, String> parent = new HashMap<>();

    private ReferenceStitcher() {}

    /** The transactions the stitching rules define for these input lines, in the samples' expected format. */
    public static List<FinalView.Expected> expected(List<String> lines) {
        ReferenceStitcher stitcher = new ReferenceStitcher();
        stitcher.read(lines);
        return stitcher.transactions();
    }

    private void read(List<String> lines) {
        RecordParser parser = new RecordParser();
        RecordParser.Output output = new RecordParser.Output() {
            @Override
            public void span(Span span) {
                Trace trace = traces.computeIfAbsent(span.tenant() + "|" + span.traceId(),
                        k -> new Trace(span.tenant(), span.traceId()));
                trace.spanIds.add(span.spanId());
                for (MessageRef ref : span.messages()) {
                    (ref.publish() ? trace.published : trace.received).add(ref.joinKey().toString());
                }
                for (SpanLink link : span.links()) {
                    trace.linkedTraces.add(link.traceId());
                }
                if (span.requestId() != null) {
                    trace.requestIds.add(span.requestId());
                }
            }

            @Override
            public void log(LogFact log) {
                String requestId = log.line().requestId();
                invocations.merge(log.tenant() + "|" + requestId,
                        Invocation.of(requestId, log.function()).with(log.line()), Invocation::merge);
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {}

            @Override
            public void ignored() {}
        };
        lines.forEach(line -> parser.parse(line.getBytes(StandardCharsets.UTF_8), output));
        for (Trace trace : traces.values()) {
            for (String key : trace.published) {
                publishers.computeIfAbsent(trace.tenant + "|" + key, k -> new TreeSet<>()).add(trace.key());
            }
        }
    }

    /** Other seen traces that published what the trace received or that it links to. */
    private Set<String> producers(Trace trace) {
        Set<String> producers = new TreeSet<>();
        for (String key : trace.received) {
            producers.addAll(publishers.getOrDefault(trace.tenant + "|" + key, Set.of()));
        }
        for (String linked : trace.linkedTraces) {
            if (traces.containsKey(trace.tenant + "|" + linked)) {
                producers.add(trace.tenant + "|" + linked);
            }
        }
        producers.remove(trace.key());
        return producers;
    }

    private Set<String> unmatched(Trace trace) {
        Set<String> unmatched = new TreeSet<>();
        for (String key : trace.received) {
            if (!publishers.containsKey(trace.tenant + "|" + key)) {
                unmatched.add("message " + key);
            }
        }
        for (String linked : trace.linkedTraces) {
            if (!traces.containsKey(trace.tenant + "|" + linked)) {
                unmatched.add("trace " + linked);
            }
        }
        return unmatched;
    }

    private String transactionOf(String traceKey) {
        String p = parent.getOrDefault(traceKey, traceKey);
        if (p.equals(traceKey)) {
            return p;
        }
        String root = transactionOf(p);
        parent.put(traceKey, root);
        return root;
    }

    private Set<String> producerTransactions(Trace trace) {
        Set<String> out = new TreeSet<>();
        for (String producer : producers(trace)) {
            out.add(transactionOf(producer));
        }
        return out;
    }

    private List<FinalView.Expected> transactions() {
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Trace trace : traces.values()) {
                Set<String> producerTransactions = producerTransactions(trace);
                if (producerTransactions.size() == 1) {
                    String target = producerTransactions.iterator().next();
                    String own = transactionOf(trace.key());
                    if (!own.equals(target)) {
                        parent.put(own, target);
                        moved = true;
                    }
                }
            }
        }
        Map<String, List<Trace>> members = new TreeMap<>();
        for (Trace trace : traces.values()) {
            members.computeIfAbsent(transactionOf(trace.key()), k -> new ArrayList<>()).add(trace);
        }
        List<FinalView.Expected> out = new ArrayList<>();
        members.forEach((txn, txnTraces) -> out.add(expected(txn, txnTraces, members)));
        return out;
    }

    private FinalView.Expected expected(String txn, List<Trace> txnTraces, Map<String, List<Trace>> members) {
        long spans = 0;
        Set<String> requestIds = new TreeSet<>();
        Set<String> unmatched = new TreeSet<>();
        Set<String> upstream = new TreeSet<>();
        for (Trace trace : txnTraces) {
            spans += trace.spanIds.size();
            requestIds.addAll(trace.requestIds);
            unmatched.addAll(unmatched(trace));
            Set<String> producerTransactions = producerTransactions(trace);
            if (producerTransactions.size() >= 2) {
                upstream.addAll(producerTransactions);
            }
        }
        upstream.remove(txn);
        int coldStarts = 0;
        int timeouts = 0;
        String tenant = txnTraces.get(0).tenant;
        for (String requestId : requestIds) {
            Invocation invocation = invocations.get(tenant + "|" + requestId);
            coldStarts += invocation != null && invocation.coldStart() ? 1 : 0;
            timeouts += invocation != null && invocation.timedOut() ? 1 : 0;
        }
        List<List<String>> upstreamTraces = new ArrayList<>();
        for (String up : upstream) {
            upstreamTraces.add(members.get(up).stream().map(t -> t.traceId).sorted().toList());
        }
        return new FinalView.Expected(tenant, txnTraces.stream().map(t -> t.traceId).sorted().toList(), spans,
                requestIds.size(), coldStarts, timeouts, unmatched.size(), upstreamTraces);
    }
}
