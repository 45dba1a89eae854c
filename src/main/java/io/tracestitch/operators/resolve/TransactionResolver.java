package io.tracestitch.operators.resolve;

import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.Timers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Groups one tenant's traces into transactions exactly as docs/stitching.md defines them,
 * incrementally.
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
 * holds no anchor (a split-off part) gets a fresh id, never one used before. With numbered ids
 * (endless streams, where a trace's state can expire and the trace come back) every fresh id also
 * carries a number the tenant never handed out before, so an id is never reused.
 *
 * <p>State may have expired under it (endless streams): a trace named by a transaction, a producer
 * or a consumer may be gone. Such a trace is treated as never seen, and a transaction left with no
 * members is dropped.
 */
public final class TransactionResolver {

    /** Where nodes live: Flink MapState in the job, a HashMap in tests. */
    public interface Store {
        TraceNode trace(String traceId);

        void put(TraceNode node);

        TransactionNode transaction(String transactionId);

        void put(TransactionNode node);

        void removeTransaction(String transactionId);

        /** A number this tenant never handed out before (numbered ids only). */
        long nextIdNumber();
    }

    /** What an input changed: traces to re-resolve, and traces whose content alone changed. */
    public record Change(Set<String> resolve, Set<String> content) {}

    private static final String[] NONE = new String[0];
    private static final JoinKey[] NO_KEYS = new JoinKey[0];
    private static final Comparator<JoinKey> KEY_ORDER = Comparator.comparing(JoinKey::system)
            .thenComparing(JoinKey::stream).thenComparing(JoinKey::id);

    private final Store store;
    private final String tenant;
    private final boolean numberedIds;

    public TransactionResolver(Store store, String tenant, boolean numberedIds) {
        this.store = store;
        this.tenant = tenant;
        this.numberedIds = numberedIds;
    }

    public Change apply(ResolverInput input) {
        Set<String> resolve = new LinkedHashSet<>();
        Set<String> content = new LinkedHashSet<>();
        TraceNode node = traceOrNew(input.traceId());
        if (input instanceof ResolverInput.TraceClosed closed) {
            content.add(node.traceId);
            node.lastEventMs = Math.max(node.lastEventMs, closed.lastEventMs());
            if (markSeen(node, resolve)) {
                resolve.add(node.traceId);
            }
            for (String target : closed.links()) {
                if (!target.equals(node.traceId) && !Arrays.asList(node.links).contains(target)) {
                    node.links = append(node.links, target);
                    TraceNode linked = traceOrNew(target);
                    linked.addConsumer(node.traceId);
                    store.put(linked);
                    resolve.add(node.traceId);
                }
            }
        } else if (input instanceof ResolverInput.ProducersFound found) {
            if (markSeen(node, resolve)) {
                resolve.add(node.traceId);
            }
            TraceNode.Receive receive = receiveOf(node, found.key());
            for (String producer : found.producers()) {
                // The trace itself may be the publisher: then the message is matched, but no hop.
                if (!receive.addProducer(producer) || producer.equals(node.traceId)) {
                    continue;
                }
                TraceNode p = traceOrNew(producer);
                p.addConsumer(node.traceId);
                if (markSeen(p, resolve)) {
                    resolve.add(p.traceId);
                }
                store.put(p);
            }
            resolve.add(node.traceId);
            content.add(node.traceId);
        } else if (input instanceof ResolverInput.KeyCapped capped) {
            if (!Arrays.asList(node.cappedKeys).contains(capped.key())) {
                node.cappedKeys = append(node.cappedKeys, capped.key());
                content.add(node.traceId);
            }
        } else if (input instanceof ResolverInput.ContentChanged) {
            content.add(node.traceId);
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
            TraceNode c = consumer == null ? null : store.trace(consumer);
            if (c != null && Arrays.asList(c.links).contains(node.traceId)) {
                resolve.add(consumer);
            }
        }
        return true;
    }

    private static TraceNode.Receive receiveOf(TraceNode node, JoinKey key) {
        for (TraceNode.Receive r : node.receives) {
            if (r.key.equals(key)) {
                return r;
            }
        }
        TraceNode.Receive added = new TraceNode.Receive(key);
        node.receives = append(node.receives, added);
        return added;
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
            if (!oldTransactions.add(transactionId)) {
                return;
            }
            for (TraceNode member : members(store.transaction(transactionId))) {
                addSingle(member);
            }
        }

        /** Pulls a fixed transaction in as one block (its inside stays as it was derived). */
        String addTransactionAsBlock(String transactionId) {
            oldTransactions.add(transactionId);
            String root = null;
            for (TraceNode member : members(store.transaction(transactionId))) {
                addSingle(member);
                root = root == null ? find(member.traceId) : union(member.traceId, root);
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
        String group(TraceNode node) {
            if (!parent.containsKey(node.traceId)) {
                if (node.transactionId != null && store.transaction(node.transactionId) != null) {
                    return "x" + node.transactionId;
                }
                addSingle(node);
            }
            return "r" + find(node.traceId);
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
                        if (consumer == null || parent.containsKey(consumer)) {
                            continue;
                        }
                        TraceNode c = store.trace(consumer);
                        if (c == null || c.transactionId == null || store.transaction(c.transactionId) == null) {
                            continue;
                        }
                        String target = singleProducerGroup(c);
                        if (target != null && !target.equals(group(c))) {
                            addTransactionAsBlock(c.transactionId);
                            moved = true;
                        }
                    }
                }
            }
        }

        private boolean attachIfSingleUpstream(TraceNode node) {
            String target = singleProducerGroup(node);
            if (target == null || target.equals(group(node))) {
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
            String[] single = {null};
            boolean one = forEachProducer(node, producer -> {
                String g = group(producer);
                if (single[0] == null) {
                    single[0] = g;
                }
                return single[0].equals(g); // a second group: stop, it is a fan-in
            });
            return one ? single[0] : null;
        }

        Set<String> assignIds() {
            Map<String, List<String>> groups = new HashMap<>();
            for (String traceId : order) {
                groups.computeIfAbsent(find(traceId), k -> new ArrayList<>()).add(traceId);
            }
            Map<String, List<TransactionNode>> candidates = new HashMap<>();
            for (String id : oldTransactions) {
                TransactionNode old = store.transaction(id);
                String root = rootOf(old);
                if (root == null) {
                    store.removeTransaction(id); // every member is gone (expired): so is the transaction
                } else {
                    candidates.computeIfAbsent(root, k -> new ArrayList<>()).add(old);
                }
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
                    olds.sort(Comparator.comparing(t -> t.anchor));
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
                    TraceNode c = consumer == null ? null : store.trace(consumer);
                    if (c != null && c.transactionId != null && !parent.containsKey(consumer)) {
                        dirty.add(c.transactionId);
                    }
                }
            }
            return dirty;
        }

        /**
         * The group an old transaction's id follows: its anchor's, or, if the anchor's state is gone,
         * its first remaining member's (null if none remains in the region).
         */
        private String rootOf(TransactionNode old) {
            if (parent.containsKey(old.anchor)) {
                return find(old.anchor);
            }
            for (String member : old.members) {
                if (parent.containsKey(member)) {
                    old.anchor = member;
                    return find(member);
                }
            }
            return null;
        }

        private TransactionNode fresh(String anchor) {
            TraceNode node = nodes.get(anchor);
            int generation = node.idGeneration++;
            store.put(node);
            String id = numberedIds ? "tx-" + anchor + "-" + store.nextIdNumber()
                    : "tx-" + anchor + (generation == 0 ? "" : "~" + generation);
            return new TransactionNode(id, anchor);
        }
    }

    /** The members of a transaction whose state is still there and still names it. */
    private List<TraceNode> members(TransactionNode txn) {
        List<TraceNode> present = new ArrayList<>(txn.members.length);
        for (String member : txn.members) {
            TraceNode node = store.trace(member);
            if (node != null && node.seen && txn.transactionId.equals(node.transactionId)) {
                present.add(node);
            }
        }
        return present;
    }

    /**
     * Visits the other seen traces that published what this trace received, or that it links to,
     * until the visitor returns false; returns whether it never did.
     */
    private boolean forEachProducer(TraceNode node, Predicate<TraceNode> visitor) {
        for (TraceNode.Receive r : node.receives) {
            for (String p : r.producers) {
                TraceNode producer = p == null || p.equals(node.traceId) ? null : store.trace(p);
                if (producer != null && producer.seen && !visitor.test(producer)) {
                    return false;
                }
            }
        }
        for (String target : node.links) {
            TraceNode linked = store.trace(target);
            if (linked != null && linked.seen && !visitor.test(linked)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The next revision's plan, numbered {@code seq}; null if nothing is left of the transaction
     * (its members' state expired), which is then dropped. Upstream: every other transaction holding
     * a producer of a member. Unmatched: each distinct received join key without a publisher, and
     * each linked trace never seen.
     */
    public TransactionPlan plan(String transactionId, long seq) {
        TransactionNode txn = store.transaction(transactionId);
        List<TraceNode> members = members(txn);
        if (members.isEmpty()) {
            store.removeTransaction(transactionId);
            return null;
        }
        if (members.size() != txn.members.length) {
            txn.members = members.stream().map(m -> m.traceId).toArray(String[]::new);
        }
        txn.revision++;
        store.put(txn);
        Set<String> upstream = new TreeSet<>();
        Set<JoinKey> unmatched = new TreeSet<>(KEY_ORDER);
        Set<String> unmatchedLinks = new TreeSet<>();
        Set<JoinKey> capped = new TreeSet<>(KEY_ORDER);
        for (TraceNode node : members) {
            forEachProducer(node, producer -> {
                if (producer.transactionId != null && !producer.transactionId.equals(transactionId)) {
                    upstream.add(producer.transactionId);
                }
                return true;
            });
            for (TraceNode.Receive r : node.receives) {
                if (r.producerCount == 0) {
                    unmatched.add(r.key);
                }
            }
            for (String target : node.links) {
                TraceNode linked = store.trace(target);
                if (linked == null || !linked.seen) {
                    unmatchedLinks.add(target);
                }
            }
            capped.addAll(Arrays.asList(node.cappedKeys));
        }
        return new TransactionPlan(tenant, seq, transactionId,
                txn.revision, txn.members, txn.supersedes, upstream.toArray(NONE), unmatched.toArray(NO_KEYS),
                unmatchedLinks.toArray(NONE), capped.toArray(NO_KEYS));
    }

    /**
     * When the transaction may be emitted: a member with an unmatched received message waits up to
     * {@code maxHopDelayMs} after its last event for the publisher to show up.
     */
    public long readyAt(String transactionId, long maxHopDelayMs) {
        long ready = Long.MIN_VALUE;
        for (TraceNode node : members(store.transaction(transactionId))) {
            if (hasUnmatched(node)) {
                ready = Math.max(ready, Timers.plus(node.lastEventMs, maxHopDelayMs));
            }
        }
        return ready;
    }

    private boolean hasUnmatched(TraceNode node) {
        for (TraceNode.Receive r : node.receives) {
            if (r.producerCount == 0) {
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

    @SuppressWarnings("unchecked")
    private static <T> T[] append(T[] values, T value) {
        T[] out = Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        return out;
    }
}
