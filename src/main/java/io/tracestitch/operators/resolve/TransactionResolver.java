package io.tracestitch.operators.resolve;

import io.tracestitch.model.Destinations;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.Timers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Groups one tenant's traces into transactions exactly as STITCHING.md defines them, incrementally.
 *
 * <p>Facts only accumulate (a trace's received keys gain producers, links gain seen targets), but the
 * rule is not monotone in them: a new producer can turn a consumer that had joined one upstream
 * transaction into a fan-in, splitting it off again. So when a trace's producers change, its whole
 * current transaction is recomputed from single traces, with every other transaction held fixed.
 * Other transactions never depend on the inside of the recomputed one (a trace whose producers all
 * lay in it would be in it), except fan-in consumers, which are re-checked; merging into a fixed
 * transaction is a monotone step that cannot undo its own derivation. Work is proportional to the
 * transactions touched, not to the tenant.
 *
 * <p>Ids: a transaction id follows its anchor trace. When transactions merge, the id with the
 * smallest anchor survives and names the others in its cumulative {@code supersedes}; a group that
 * holds no anchor (a split-off part) gets a fresh id, never one used before.
 */
public final class TransactionResolver {

    /** Where nodes live: Flink MapState in the job, a HashMap in tests. */
    public interface Store {
        TraceNode trace(String traceId);

        void put(TraceNode node);

        TransactionNode transaction(String transactionId);

        void put(TransactionNode node);

        void removeTransaction(String transactionId);
    }

    /** What an input changed: traces to re-resolve, and traces whose content alone changed. */
    public record Change(Set<String> resolve, Set<String> content) {}

    private static final String[] NONE = new String[0];

    private final Store store;
    private final String tenant;

    public TransactionResolver(Store store, String tenant) {
        this.store = store;
        this.tenant = tenant;
    }

    public Change apply(ResolverInput input) {
        Set<String> resolve = new LinkedHashSet<>();
        Set<String> content = new LinkedHashSet<>();
        TraceNode node = traceOrNew(input.traceId());
        switch (input.kind()) {
            case TRACE -> {
                content.add(node.traceId);
                node.lastEventMs = Math.max(node.lastEventMs, input.lastEventMs());
                if (markSeen(node, resolve)) {
                    resolve.add(node.traceId);
                }
                for (String target : input.links()) {
                    if (!target.equals(node.traceId) && !contains(node.links, target)) {
                        node.links = append(node.links, target);
                        TraceNode linked = traceOrNew(target);
                        linked.consumers = appendIfAbsent(linked.consumers, node.traceId);
                        store.put(linked);
                        resolve.add(node.traceId);
                    }
                }
            }
            case HOP -> {
                if (markSeen(node, resolve)) {
                    resolve.add(node.traceId);
                }
                setReceive(node, input.joinKey(), input.producers());
                for (String producer : input.producers()) {
                    if (producer.equals(node.traceId)) {
                        continue;
                    }
                    TraceNode p = traceOrNew(producer);
                    p.consumers = appendIfAbsent(p.consumers, node.traceId);
                    if (markSeen(p, resolve)) {
                        resolve.add(p.traceId);
                    }
                    store.put(p);
                }
                resolve.add(node.traceId);
                content.add(node.traceId);
            }
            case TOUCH -> content.add(node.traceId);
        }
        store.put(node);
        return new Change(resolve, content);
    }

    /** Marks a trace seen; a link target becoming seen becomes a producer of its linkers. */
    private boolean markSeen(TraceNode node, Set<String> resolve) {
        if (node.seen) {
            return false;
        }
        node.seen = true;
        for (String consumer : node.consumers) {
            TraceNode c = store.trace(consumer);
            if (c != null && contains(c.links, node.traceId)) {
                resolve.add(consumer);
            }
        }
        return true;
    }

    private static void setReceive(TraceNode node, String joinKey, String[] producers) {
        for (TraceNode.Receive r : node.receives) {
            if (r.joinKey.equals(joinKey)) {
                r.producers = producers;
                return;
            }
        }
        node.receives = Arrays.copyOf(node.receives, node.receives.length + 1);
        node.receives[node.receives.length - 1] = new TraceNode.Receive(joinKey, producers);
    }

    /**
     * Recomputes the transactions of the given traces and of whatever they pull in. Returns the ids
     * of transactions that need a new revision (superseded ones are gone from the store).
     */
    public Set<String> resolve(Collection<String> changed) {
        Region region = new Region();
        for (String traceId : changed) {
            TraceNode node = store.trace(traceId);
            if (node == null || !node.seen) {
                continue;
            }
            if (node.transactionId == null || store.transaction(node.transactionId) == null) {
                region.addSingle(node);
            } else {
                region.addTransactionAsSingles(node.transactionId);
            }
        }
        region.fixpoint();
        return region.assignIds();
    }

    /** The traces being recomputed, with a local union-find over them. */
    private final class Region {
        private final Map<String, TraceNode> nodes = new HashMap<>();
        private final Map<String, String> parent = new HashMap<>();
        private final List<String> order = new ArrayList<>();
        private final Set<String> oldTransactions = new TreeSet<>();

        void addSingle(TraceNode node) {
            if (nodes.putIfAbsent(node.traceId, node) == null) {
                parent.put(node.traceId, node.traceId);
                order.add(node.traceId);
            }
        }

        void addTransactionAsSingles(String transactionId) {
            TransactionNode txn = store.transaction(transactionId);
            if (txn == null || !oldTransactions.add(transactionId)) {
                return;
            }
            for (String member : txn.members) {
                TraceNode node = store.trace(member);
                if (node != null) {
                    addSingle(node);
                }
            }
        }

        /** Pulls a fixed transaction in as one block (its inside stays as it was derived). */
        String addTransactionAsBlock(String transactionId) {
            TransactionNode txn = store.transaction(transactionId);
            oldTransactions.add(transactionId);
            String root = null;
            for (String member : txn.members) {
                addSingle(store.trace(member));
                root = root == null ? find(member) : union(member, root);
            }
            return root;
        }

        String find(String traceId) {
            String p = parent.get(traceId);
            if (p.equals(traceId)) {
                return p;
            }
            String root = find(p);
            parent.put(traceId, root);
            return root;
        }

        /** Unites two groups; the root is the smaller trace id so results never depend on order. */
        String union(String a, String b) {
            String ra = find(a);
            String rb = find(b);
            if (ra.equals(rb)) {
                return ra;
            }
            String root = ra.compareTo(rb) < 0 ? ra : rb;
            parent.put(ra, root);
            parent.put(rb, root);
            return root;
        }

        /**
         * Region traces are labelled by their group root, others by their fixed transaction. A seen
         * trace not yet resolved (its own change is still pending) joins the region now.
         */
        String group(String traceId) {
            if (!parent.containsKey(traceId)) {
                TraceNode node = store.trace(traceId);
                if (node.transactionId != null && store.transaction(node.transactionId) != null) {
                    return "x" + node.transactionId;
                }
                addSingle(node);
            }
            return "r" + find(traceId);
        }

        void fixpoint() {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (int i = 0; i < order.size(); i++) {
                    moved |= attachIfSingleUpstream(nodes.get(order.get(i)));
                }
                // Fan-in consumers outside the region may now see all their producers in one place.
                for (int i = 0; i < order.size(); i++) {
                    for (String consumer : nodes.get(order.get(i)).consumers) {
                        if (parent.containsKey(consumer)) {
                            continue;
                        }
                        TraceNode c = store.trace(consumer);
                        if (c == null || c.transactionId == null) {
                            continue;
                        }
                        String target = singleProducerGroup(c);
                        if (target != null && !target.equals(group(consumer))) {
                            addTransactionAsBlock(c.transactionId);
                            moved = true;
                        }
                    }
                }
            }
        }

        private boolean attachIfSingleUpstream(TraceNode node) {
            String target = singleProducerGroup(node);
            if (target == null || target.equals(group(node.traceId))) {
                return false;
            }
            String targetRoot;
            if (target.charAt(0) == 'x') {
                targetRoot = addTransactionAsBlock(target.substring(1));
            } else {
                targetRoot = target.substring(1);
            }
            union(node.traceId, targetRoot);
            return true;
        }

        /** The one group holding all of the trace's producers, or null (none, or several). */
        private String singleProducerGroup(TraceNode node) {
            String single = null;
            for (String producer : producers(node)) {
                String g = group(producer);
                if (single == null) {
                    single = g;
                } else if (!single.equals(g)) {
                    return null;
                }
            }
            return single;
        }

        Set<String> assignIds() {
            Map<String, List<String>> groups = new HashMap<>();
            for (String traceId : order) {
                groups.computeIfAbsent(find(traceId), k -> new ArrayList<>()).add(traceId);
            }
            Map<String, TransactionNode> oldByAnchorGroup = new HashMap<>();
            Map<String, List<TransactionNode>> candidates = new HashMap<>();
            for (String id : oldTransactions) {
                TransactionNode old = store.transaction(id);
                candidates.computeIfAbsent(find(old.anchor), k -> new ArrayList<>()).add(old);
            }
            Set<String> dirty = new TreeSet<>();
            Set<String> moved = new HashSet<>();
            for (Map.Entry<String, List<String>> group : groups.entrySet()) {
                List<String> members = group.getValue();
                members.sort(null);
                List<TransactionNode> olds = candidates.getOrDefault(group.getKey(), List.of());
                TransactionNode survivor;
                if (olds.isEmpty()) {
                    survivor = fresh(members.get(0));
                } else {
                    olds.sort((a, b) -> a.anchor.compareTo(b.anchor));
                    survivor = olds.get(0);
                    Set<String> supersedes = new TreeSet<>(Arrays.asList(survivor.supersedes));
                    for (TransactionNode absorbed : olds.subList(1, olds.size())) {
                        supersedes.add(absorbed.transactionId);
                        supersedes.addAll(Arrays.asList(absorbed.supersedes));
                        store.removeTransaction(absorbed.transactionId);
                    }
                    survivor.supersedes = supersedes.toArray(NONE);
                }
                survivor.members = members.toArray(NONE);
                store.put(survivor);
                dirty.add(survivor.transactionId);
                for (String member : members) {
                    TraceNode node = nodes.get(member);
                    if (!survivor.transactionId.equals(node.transactionId)) {
                        node.transactionId = survivor.transactionId;
                        store.put(node);
                        moved.add(member);
                    }
                }
            }
            // Consumers elsewhere name these transactions as upstream: they need the new ids.
            for (String member : moved) {
                for (String consumer : nodes.get(member).consumers) {
                    TraceNode c = store.trace(consumer);
                    if (c != null && c.transactionId != null && !parent.containsKey(consumer)) {
                        dirty.add(c.transactionId);
                    }
                }
            }
            return dirty;
        }

        private TransactionNode fresh(String anchor) {
            TraceNode node = nodes.get(anchor);
            int generation = node.idGeneration++;
            store.put(node);
            String id = "tx-" + anchor + (generation == 0 ? "" : "~" + generation);
            return new TransactionNode(id, anchor);
        }
    }

    /** Other seen traces that published what this trace received, or that it links to. */
    private List<String> producers(TraceNode node) {
        List<String> producers = new ArrayList<>();
        for (TraceNode.Receive r : node.receives) {
            for (String p : r.producers) {
                if (!p.equals(node.traceId)) {
                    producers.add(p);
                }
            }
        }
        for (String target : node.links) {
            TraceNode linked = store.trace(target);
            if (linked != null && linked.seen) {
                producers.add(target);
            }
        }
        return producers;
    }

    /**
     * The next revision's plan. Upstream: every other transaction holding a producer of a member.
     * Unmatched: each distinct received join key without a publisher and link to an unseen trace.
     */
    public TransactionPlan plan(String transactionId) {
        TransactionNode txn = store.transaction(transactionId);
        txn.revision++;
        store.put(txn);
        Set<String> upstream = new TreeSet<>();
        Set<String> unmatched = new TreeSet<>();
        for (String member : txn.members) {
            TraceNode node = store.trace(member);
            for (String producer : producers(node)) {
                String producerTxn = store.trace(producer).transactionId;
                if (producerTxn != null && !producerTxn.equals(transactionId)) {
                    upstream.add(producerTxn);
                }
            }
            for (TraceNode.Receive r : node.receives) {
                if (r.producers.length == 0) {
                    unmatched.add(r.joinKey);
                }
            }
            for (String target : node.links) {
                TraceNode linked = store.trace(target);
                if (linked == null || !linked.seen) {
                    unmatched.add(Destinations.joinKey(tenant, "link", "", target));
                }
            }
        }
        return new TransactionPlan(tenant, transactionId, txn.revision, txn.members, txn.supersedes,
                upstream.toArray(NONE), unmatched.toArray(NONE));
    }

    /**
     * When the transaction may be emitted: a member with an unmatched received message waits up to
     * {@code maxHopDelayMs} after its last event for the publisher to show up.
     */
    public long readyAt(String transactionId, long maxHopDelayMs) {
        TransactionNode txn = store.transaction(transactionId);
        long ready = Long.MIN_VALUE;
        for (String member : txn.members) {
            TraceNode node = store.trace(member);
            if (hasUnmatched(node)) {
                ready = Math.max(ready, Timers.plus(node.lastEventMs, maxHopDelayMs));
            }
        }
        return ready;
    }

    private boolean hasUnmatched(TraceNode node) {
        for (TraceNode.Receive r : node.receives) {
            if (r.producers.length == 0) {
                return true;
            }
        }
        for (String target : node.links) {
            TraceNode linked = store.trace(target);
            if (linked == null || !linked.seen) {
                return true;
            }
        }
        return false;
    }

    public String transactionOf(String traceId) {
        TraceNode node = store.trace(traceId);
        return node == null ? null : node.transactionId;
    }

    private TraceNode traceOrNew(String traceId) {
        TraceNode node = store.trace(traceId);
        return node != null ? node : new TraceNode(traceId);
    }

    private static boolean contains(String[] values, String value) {
        for (String v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String[] append(String[] values, String value) {
        String[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        return out;
    }

    private static String[] appendIfAbsent(String[] values, String value) {
        return contains(values, value) ? values : append(values, value);
    }
}
