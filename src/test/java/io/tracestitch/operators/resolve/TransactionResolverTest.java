package io.tracestitch.operators.resolve;

import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.TransactionPlan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TransactionResolver} alone, over an in-memory store, against the stitching rules (docs/stitching.md). */
class TransactionResolverTest {

    private static final String T = "t";
    private static final String[] NONE = new String[0];

    /** A HashMap store; nodes are shared objects, as MapState on the heap would hand them out. */
    static final class MapStore implements TransactionResolver.Store {
        final Map<String, TraceNode> traces = new HashMap<>();
        final Map<String, TransactionNode> transactions = new HashMap<>();

        @Override
        public TraceNode trace(String traceId) {
            return traces.get(traceId);
        }

        @Override
        public void put(TraceNode node) {
            traces.put(node.traceId, node);
        }

        @Override
        public TransactionNode transaction(String transactionId) {
            return transactions.get(transactionId);
        }

        @Override
        public void put(TransactionNode node) {
            transactions.put(node.transactionId, node);
        }

        @Override
        public void removeTransaction(String transactionId) {
            transactions.remove(transactionId);
        }

        long idNumber;

        @Override
        public long nextIdNumber() {
            return ++idNumber;
        }
    }

    /**
     * Drives a resolver like {@link TransactionResolverFunction} does (apply, then resolve the changed traces
     * and plan every dirty transaction that still exists) and checks the emission invariants on the way.
     */
    static final class Driver {
        final MapStore store = new MapStore();
        final TransactionResolver resolver = new TransactionResolver(store, T, false);
        long planSeq;
        final Set<String> pending = new LinkedHashSet<>();
        final List<TransactionPlan> emitted = new ArrayList<>();
        final Set<String> everEmittedIds = new HashSet<>();
        final Set<String> everSuperseded = new HashSet<>();
        final Set<String> idRevisions = new HashSet<>();
        /** Simulated hop pairing: per join key, publishers and receivers seen so far. */
        final Map<JoinKey, List<String>> publishers = new HashMap<>();
        final Map<JoinKey, List<String>> receivers = new HashMap<>();

        Driver apply(ResolverInput input) {
            pending.addAll(resolver.apply(input).resolve());
            return this;
        }

        Driver trace(String traceId, String... links) {
            return apply(new ResolverInput.TraceClosed(T, traceId, 0L, links));
        }

        Driver hop(String consumer, JoinKey key, String... producers) {
            return apply(new ResolverInput.ProducersFound(T, consumer, key, producers));
        }

        /** Like HopPairing: a publish tells every receiver so far about itself; a receive learns all publishers. */
        Driver publish(String traceId, JoinKey key) {
            List<String> p = publishers.computeIfAbsent(key, k -> new ArrayList<>());
            if (p.contains(traceId)) {
                return this;
            }
            p.add(traceId);
            for (String r : receivers.getOrDefault(key, List.of())) {
                hop(r, key, traceId);
            }
            return this;
        }

        Driver receive(String traceId, JoinKey key) {
            List<String> r = receivers.computeIfAbsent(key, k -> new ArrayList<>());
            if (r.contains(traceId)) {
                return this;
            }
            r.add(traceId);
            return hop(traceId, key, publishers.getOrDefault(key, List.of()).toArray(NONE));
        }

        /** Resolves what is pending and plans a revision of every dirty transaction; returns the plans. */
        List<TransactionPlan> resolve() {
            List<String> changed = new ArrayList<>(pending);
            changed.sort(null);
            pending.clear();
            List<TransactionPlan> plans = new ArrayList<>();
            for (String txn : resolver.resolve(changed)) {
                if (store.transaction(txn) == null) {
                    continue;
                }
                TransactionPlan plan = resolver.plan(txn, ++planSeq);
                String id = plan.transactionId();
                assertThat(everSuperseded).as("superseded id %s is emitted again", id).doesNotContain(id);
                assertThat(idRevisions.add(id + "#" + plan.revision()))
                        .as("(%s, revision %d) emitted twice", id, plan.revision()).isTrue();
                if (plan.revision() == 1) {
                    assertThat(everEmittedIds).as("a new transaction reuses id %s", id).doesNotContain(id);
                }
                everEmittedIds.add(id);
                plans.add(plan);
            }
            // Supersedes are only known after the whole batch: check no plan of this batch names a live id.
            for (TransactionPlan plan : plans) {
                everSuperseded.addAll(Arrays.asList(plan.supersedes()));
            }
            for (TransactionPlan plan : plans) {
                assertThat(everSuperseded).as("plan %s of this batch was superseded in it", plan.transactionId())
                        .doesNotContain(plan.transactionId());
            }
            emitted.addAll(plans);
            return plans;
        }

        /** Final view: highest revision per id, minus every superseded id. */
        Map<String, TransactionPlan> view() {
            Map<String, TransactionPlan> best = new TreeMap<>();
            Set<String> superseded = new HashSet<>();
            for (TransactionPlan p : emitted) {
                best.merge(p.transactionId(), p, (a, b) -> b.revision() >= a.revision() ? b : a);
                superseded.addAll(Arrays.asList(p.supersedes()));
            }
            best.keySet().removeAll(superseded);
            return best;
        }

        Set<Set<String>> partition() {
            Set<Set<String>> out = new HashSet<>();
            Map<String, Integer> owners = new HashMap<>();
            for (TransactionPlan p : view().values()) {
                out.add(new TreeSet<>(Arrays.asList(p.members())));
                for (String m : p.members()) {
                    owners.merge(m, 1, Integer::sum);
                }
            }
            owners.forEach((trace, n) -> assertThat(n).as("trace %s in %d transactions", trace, n).isEqualTo(1));
            return out;
        }

        TransactionPlan viewOf(String traceId) {
            for (TransactionPlan p : view().values()) {
                if (Arrays.asList(p.members()).contains(traceId)) {
                    return p;
                }
            }
            throw new AssertionError("trace " + traceId + " is in no transaction of the view " + view().keySet());
        }

        Set<Set<String>> upstreamSets(String traceId) {
            TransactionPlan p = viewOf(traceId);
            Map<String, TransactionPlan> view = view();
            Set<Set<String>> out = new HashSet<>();
            for (String u : p.upstreamTransactions()) {
                assertThat(view).as("upstream %s of %s is in the view", u, p.transactionId()).containsKey(u);
                out.add(new TreeSet<>(Arrays.asList(view.get(u).members())));
            }
            return out;
        }
    }

    static JoinKey key(String id) {
        return JoinKey.of(T, "sns", "", id);
    }

    /** Everything a plan lists as unmatched: join keys and linked traces. */
    static List<Object> unmatched(TransactionPlan p) {
        List<Object> out = new ArrayList<>(Arrays.asList(p.unmatchedMessages()));
        out.addAll(Arrays.asList(p.unmatchedLinks()));
        return out;
    }

    static Set<String> set(String... traces) {
        return new TreeSet<>(Arrays.asList(traces));
    }

    @Test
    void snsFanOutIsOneTransaction() {
        Driver d = new Driver();
        d.trace("a").trace("b").trace("c").trace("d")
                .publish("a", key("m1")).receive("b", key("m1")).receive("c", key("m1")).receive("d", key("m1"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "b", "c", "d"));
        TransactionPlan p = d.viewOf("a");
        assertThat(unmatched(p)).isEmpty();
        assertThat(p.upstreamTransactions()).isEmpty();
    }

    @Test
    void fanOutWithReceiversBeforeThePublisher() {
        Driver d = new Driver();
        d.trace("b").trace("c").trace("d").receive("b", key("m1")).receive("c", key("m1")).receive("d", key("m1"));
        d.resolve();
        assertThat(d.partition()).hasSize(3);
        d.trace("a").publish("a", key("m1"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "b", "c", "d"));
        assertThat(unmatched(d.viewOf("a"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void chainOfDepth12IsOneTransaction(boolean backwards) {
        Driver d = new Driver();
        List<Runnable> steps = new ArrayList<>();
        for (int i = 0; i <= 12; i++) {
            String t = "t" + (char) ('a' + i);
            int n = i;
            steps.add(() -> {
                d.trace(t);
                if (n > 0) {
                    d.receive(t, key("k" + (n - 1)));
                }
                if (n < 12) {
                    d.publish(t, key("k" + n));
                }
                d.resolve(); // one trace per batch: the chain grows link by link
            });
        }
        if (backwards) {
            Collections.reverse(steps);
        }
        steps.forEach(Runnable::run);
        Set<Set<String>> partition = d.partition();
        assertThat(partition).hasSize(1);
        assertThat(partition.iterator().next()).hasSize(13);
    }

    @Test
    void fanInStaysAloneUntilItsUpstreamsJoin() {
        Driver d = new Driver();
        d.trace("a").trace("x").trace("d")
                .publish("a", key("ka")).publish("x", key("kx"))
                .receive("d", key("ka")).receive("d", key("kx"));
        d.resolve();
        assertThat(d.partition()).containsExactlyInAnyOrder(set("a"), set("x"), set("d"));
        assertThat(d.upstreamSets("d")).containsExactlyInAnyOrder(set("a"), set("x"));

        // A later hop joins the two upstreams: the consumer now joins them.
        d.trace("x").publish("a", key("kz")).receive("x", key("kz"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "d", "x"));
        assertThat(d.viewOf("d").upstreamTransactions()).isEmpty();
    }

    @Test
    void fanInUpstreamFollowsItsUpstreamsNewIds() {
        Driver d = new Driver();
        // u1 and u2 upstreams of fan-in d; then u1 is merged into a smaller-anchored transaction.
        d.trace("u1").trace("u2").trace("d")
                .publish("u1", key("k1")).publish("u2", key("k2")).receive("d", key("k1")).receive("d", key("k2"));
        d.resolve();
        d.trace("a").publish("a", key("k0")).receive("u1", key("k0"));
        d.resolve();
        assertThat(d.partition()).containsExactlyInAnyOrder(set("a", "u1"), set("u2"), set("d"));
        assertThat(d.upstreamSets("d")).containsExactlyInAnyOrder(set("a", "u1"), set("u2"));
    }

    @Test
    void unmatchedReceiveStartsItsOwnTransactionAndIsListed() {
        Driver d = new Driver();
        d.trace("c").receive("c", key("lost"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("c"));
        assertThat(unmatched(d.viewOf("c"))).containsExactly(key("lost"));
    }

    @Test
    void consumerWithOneMatchedAndOneUnmatchedKeyJoinsTheProducer() {
        Driver d = new Driver();
        d.trace("a").trace("c").publish("a", key("k1")).receive("c", key("k1")).receive("c", key("lost"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "c"));
        assertThat(unmatched(d.viewOf("c"))).containsExactly(key("lost"));
    }

    @Test
    void lateProducerSplitsAConsumerOffUnderAFreshId() {
        Driver d = new Driver();
        d.trace("a").trace("c").receive("c", key("k1")).receive("c", key("k2"));
        d.resolve();
        assertThat(d.partition()).containsExactlyInAnyOrder(set("a"), set("c"));
        Set<String> idsBefore = new HashSet<>(d.everEmittedIds);

        d.publish("a", key("k1")); // c joins a: one id survives, the other is superseded
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "c"));
        TransactionPlan merged = d.viewOf("a");
        assertThat(merged.supersedes()).hasSize(1);
        String supersededId = merged.supersedes()[0];
        idsBefore.addAll(d.everEmittedIds);

        d.trace("x").publish("x", key("k2")); // late producer: c is now a fan-in of a and x
        d.resolve();
        assertThat(d.partition()).containsExactlyInAnyOrder(set("a"), set("c"), set("x"));
        TransactionPlan survivor = d.viewOf("a");
        assertThat(survivor.transactionId()).isEqualTo(merged.transactionId());
        assertThat(survivor.revision()).isGreaterThan(merged.revision());
        assertThat(survivor.members()).containsExactly("a"); // the revision lost c
        assertThat(survivor.supersedes()).as("supersedes is cumulative").contains(supersededId);
        TransactionPlan split = d.viewOf("c");
        assertThat(idsBefore).as("the split-off part gets an id never used before").doesNotContain(split.transactionId());
        assertThat(split.revision()).isEqualTo(1);
        assertThat(d.upstreamSets("c")).containsExactlyInAnyOrder(set("a"), set("x"));
    }

    @Test
    void linkCyclesEndInOneTransaction() {
        Driver d = new Driver();
        d.trace("a", "b").trace("b", "a");
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "b"));

        Driver three = new Driver();
        three.trace("p", "q").trace("q", "r").trace("r", "p");
        three.resolve();
        assertThat(three.partition()).containsExactly(set("p", "q", "r"));
        assertThat(unmatched(three.viewOf("p"))).isEmpty();
    }

    @Test
    void hopCycleEndsInOneTransaction() {
        Driver d = new Driver();
        d.trace("a").trace("b").publish("a", key("ab")).receive("b", key("ab"))
                .publish("b", key("ba")).receive("a", key("ba"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("a", "b"));
    }

    @Test
    void linkToAnUnseenTraceIsUnmatchedUntilTheTargetAppears() {
        Driver d = new Driver();
        d.trace("c", "z");
        d.resolve();
        assertThat(d.partition()).containsExactly(set("c"));
        assertThat(unmatched(d.viewOf("c"))).hasSize(1);

        d.trace("z");
        d.resolve();
        assertThat(d.partition()).containsExactly(set("c", "z"));
        assertThat(unmatched(d.viewOf("c"))).isEmpty();
    }

    @Test
    void collidingPublishersInDifferentTransactionsMakeAFanIn() {
        Driver d = new Driver();
        d.trace("p1").trace("p2").trace("c")
                .publish("p1", key("dup")).publish("p2", key("dup")).receive("c", key("dup"));
        d.resolve();
        assertThat(d.partition()).containsExactlyInAnyOrder(set("p1"), set("p2"), set("c"));
        assertThat(d.upstreamSets("c")).containsExactlyInAnyOrder(set("p1"), set("p2"));
        assertThat(unmatched(d.viewOf("c"))).isEmpty();

        // Once both publishers are one transaction, the receiver joins it.
        d.publish("p1", key("glue")).receive("p2", key("glue"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("c", "p1", "p2"));
    }

    @Test
    void collidingPublishersInOneTransactionAreJoined() {
        Driver d = new Driver();
        d.trace("p1").trace("p2").trace("c")
                .publish("p1", key("glue")).receive("p2", key("glue"))
                .publish("p1", key("dup")).publish("p2", key("dup")).receive("c", key("dup"));
        d.resolve();
        assertThat(d.partition()).containsExactly(set("c", "p1", "p2"));
    }

    // ---------------------------------------------------------------------------------------------
    // Order independence against a brute-force fixpoint of the transaction rule (docs/stitching.md, T2).

    /** A random tenant: traces with their links, and per join key its publishers and receivers. */
    record World(List<String> traces, Map<String, List<String>> links, Map<JoinKey, List<String>> publishers,
            Map<JoinKey, List<String>> receivers) {

        static World random(long seed) {
            Random r = new Random(seed);
            List<String> traces = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                traces.add(String.format("t%02d", i));
            }
            Map<String, List<String>> links = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                String from = traces.get(r.nextInt(40));
                String to = r.nextInt(4) == 0 ? "unseen" + r.nextInt(3) : traces.get(r.nextInt(40));
                links.computeIfAbsent(from, k -> new ArrayList<>()).add(to);
            }
            Map<JoinKey, List<String>> pubs = new LinkedHashMap<>();
            Map<JoinKey, List<String>> recs = new LinkedHashMap<>();
            for (int k = 0; k < 32; k++) {
                JoinKey key = key("m" + k);
                int nPub = r.nextInt(10) < 2 ? 0 : r.nextInt(10) < 8 ? 1 : 2;
                int nRec = 1 + r.nextInt(3);
                List<String> p = new ArrayList<>();
                for (int i = 0; i < nPub; i++) {
                    p.add(traces.get(r.nextInt(40)));
                }
                List<String> c = new ArrayList<>();
                for (int i = 0; i < nRec; i++) {
                    c.add(traces.get(r.nextInt(40)));
                }
                pubs.put(key, p);
                recs.put(key, c);
            }
            return new World(traces, links, pubs, recs);
        }

        List<java.util.function.Consumer<Driver>> events() {
            List<java.util.function.Consumer<Driver>> events = new ArrayList<>();
            for (String t : traces) {
                // A trace may close more than once (late spans): its links arrive split over two TRACE inputs.
                List<String> l = links.getOrDefault(t, List.of());
                int split = Math.floorMod(t.hashCode(), l.size() + 1);
                String[] first = l.subList(0, split).toArray(NONE);
                String[] second = l.subList(split, l.size()).toArray(NONE);
                events.add(d -> d.trace(t, first));
                if (second.length > 0) {
                    events.add(d -> d.trace(t, second));
                }
            }
            publishers.forEach((key, ps) -> ps.forEach(p -> events.add(d -> d.publish(p, key))));
            receivers.forEach((key, rs) -> rs.forEach(c -> events.add(d -> d.receive(c, key))));
            return events;
        }

        Set<String> producers(String c) {
            Set<String> out = new TreeSet<>();
            receivers.forEach((key, rs) -> {
                if (rs.contains(c)) {
                    out.addAll(publishers.get(key));
                }
            });
            for (String target : links.getOrDefault(c, List.of())) {
                if (traces.contains(target)) {
                    out.add(target);
                }
            }
            out.remove(c);
            return out;
        }

        /** T2: start alone; while some C's producers all lie in one T not holding C, move C's T into T. */
        Map<String, Integer> fixpoint() {
            Map<String, Integer> group = new TreeMap<>();
            for (int i = 0; i < traces.size(); i++) {
                group.put(traces.get(i), i);
            }
            boolean changed = true;
            while (changed) {
                changed = false;
                for (String c : traces) {
                    Set<String> ps = producers(c);
                    Set<Integer> groups = new HashSet<>();
                    ps.forEach(p -> groups.add(group.get(p)));
                    if (groups.size() == 1) {
                        int target = groups.iterator().next();
                        int from = group.get(c);
                        if (from != target) {
                            group.replaceAll((t, g) -> g == from ? target : g);
                            changed = true;
                        }
                    }
                }
            }
            return group;
        }

        Set<Set<String>> partition(Map<String, Integer> group) {
            Map<Integer, Set<String>> sets = new HashMap<>();
            group.forEach((t, g) -> sets.computeIfAbsent(g, k -> new TreeSet<>()).add(t));
            return new HashSet<>(sets.values());
        }

        /** Per transaction (by members): its upstream transactions' member sets and its unmatched count. */
        Map<Set<String>, String> summaries(Map<String, Integer> group) {
            Map<Integer, Set<String>> sets = new HashMap<>();
            group.forEach((t, g) -> sets.computeIfAbsent(g, k -> new TreeSet<>()).add(t));
            Map<Set<String>, String> out = new HashMap<>();
            for (Map.Entry<Integer, Set<String>> e : sets.entrySet()) {
                Set<String> upstream = new TreeSet<>();
                Set<String> unmatched = new TreeSet<>();
                for (String c : e.getValue()) {
                    for (String p : producers(c)) {
                        if (group.get(p) != e.getKey().intValue()) {
                            upstream.add(sets.get(group.get(p)).toString());
                        }
                    }
                    receivers.forEach((key, rs) -> {
                        if (rs.contains(c) && publishers.get(key).isEmpty()) {
                            unmatched.add(key.id());
                        }
                    });
                    for (String target : links.getOrDefault(c, List.of())) {
                        if (!traces.contains(target)) {
                            unmatched.add("link:" + target);
                        }
                    }
                }
                out.put(e.getValue(), "upstream=" + upstream + " unmatched=" + unmatched.size());
            }
            return out;
        }
    }

    static Map<Set<String>, String> summaries(Driver d) {
        Map<String, TransactionPlan> view = d.view();
        Map<Set<String>, String> out = new HashMap<>();
        for (TransactionPlan p : view.values()) {
            Set<String> upstream = new TreeSet<>();
            for (String u : p.upstreamTransactions()) {
                TransactionPlan up = view.get(u);
                upstream.add(up == null ? "?" + u : new TreeSet<>(Arrays.asList(up.members())).toString());
            }
            out.put(new TreeSet<>(Arrays.asList(p.members())),
                    "upstream=" + upstream + " unmatched=" + unmatched(p).size());
        }
        return out;
    }

    @ParameterizedTest(name = "world {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void anyOrderAndBatchingGivesTheFixpointPartition(long seed) {
        World world = World.random(seed);
        Map<String, Integer> groups = world.fixpoint();
        Set<Set<String>> want = world.partition(groups);
        Map<Set<String>, String> wantSummaries = world.summaries(groups);
        Random r = new Random(seed * 1000);
        for (int run = 0; run < 50; run++) {
            List<java.util.function.Consumer<Driver>> events = world.events();
            Collections.shuffle(events, r);
            Driver d = new Driver();
            int i = 0;
            while (i < events.size()) {
                int batch = 1 + r.nextInt(r.nextBoolean() ? 3 : 25);
                for (int j = 0; j < batch && i < events.size(); j++, i++) {
                    events.get(i).accept(d);
                }
                d.resolve();
            }
            String context = "world " + seed + " order " + run;
            assertThat(d.partition()).as(context).isEqualTo(want);
            assertThat(summaries(d)).as(context).isEqualTo(wantSummaries);
            assertLiveStateMatchesView(d, context);
        }
    }

    /** The store's live transactions are exactly the final view (nothing stale left behind). */
    private static void assertLiveStateMatchesView(Driver d, String context) {
        Map<String, Set<String>> live = new TreeMap<>();
        d.store.transactions.forEach((id, t) -> live.put(id, new TreeSet<>(Arrays.asList(t.members))));
        Map<String, Set<String>> view = new TreeMap<>();
        d.view().forEach((id, p) -> view.put(id, new TreeSet<>(Arrays.asList(p.members()))));
        assertThat(live).as(context + ": live transactions equal the emitted final view").isEqualTo(view);
        Map<String, String> txnOf = new LinkedHashMap<>();
        d.store.traces.values().stream().filter(n -> n.seen).forEach(n -> txnOf.put(n.traceId, n.transactionId));
        txnOf.forEach((trace, txn) -> assertThat(live.get(txn)).as(context + ": trace " + trace).contains(trace));
    }
}
