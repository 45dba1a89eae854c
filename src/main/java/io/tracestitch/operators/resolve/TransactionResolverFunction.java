package io.tracestitch.operators.resolve;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by tenant: runs {@link TransactionResolver} over compact trace facts (never spans) and, at
 * watermarks, plans a revision of every changed transaction that is ready, asking each member's
 * content store to send its content to the assembler. An input stamped {@code t} is acted on only
 * once the watermark reaches {@code t}; requests carry that watermark as their fence, so the content
 * store answers only after whatever caused the change has reached it too. Plans are numbered per
 * tenant ({@code seq}) in the order they are made; the assembler writes them in that order.
 *
 * <p>State: a node per trace and per transaction, kept while used and expiring once untouched for the
 * horizon (endless streams only); pending work (traces waiting for the watermark, transactions waiting
 * for a revision) until it is done; the tenant's counters for good. Pending work whose trace node
 * expired before the watermark reached it cannot be done and is counted as {@code expiredState}.
 */
public final class TransactionResolverFunction extends KeyedProcessFunction<String, ResolverInput, AssemblyInput> {

    public static final OutputTag<ContentInput> CONTENT_REQUESTS = new OutputTag<>("content-requests") {};

    private final StitchConfig config;
    private transient MapState<String, TraceNode> traces;
    private transient MapState<String, TransactionNode> transactions;
    /** Trace id → latest stamp of an input that may change its transaction. */
    private transient MapState<String, Long> pendingResolve;
    /** Trace id → latest stamp of an input that changed only its content. */
    private transient MapState<String, Long> pendingContent;
    /** Transactions that need a revision once ready. */
    private transient MapState<String, Boolean> dirty;
    private transient ValueState<Long> scheduled;
    private transient ValueState<TenantCounters> counters;
    private transient Tally plans;
    private transient Tally expiredState;

    public TransactionResolverFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        MapStateDescriptor<String, TraceNode> traceNodes =
                new MapStateDescriptor<>("traces", Types.STRING, Types.POJO(TraceNode.class));
        MapStateDescriptor<String, TransactionNode> transactionNodes =
                new MapStateDescriptor<>("transactions", Types.STRING, Types.POJO(TransactionNode.class));
        Timers.expireAfterAccess(traceNodes, config.horizon());
        Timers.expireAfterAccess(transactionNodes, config.horizon());
        traces = getRuntimeContext().getMapState(traceNodes);
        transactions = getRuntimeContext().getMapState(transactionNodes);
        pendingResolve = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-resolve", Types.STRING, Types.LONG));
        pendingContent = getRuntimeContext().getMapState(new MapStateDescriptor<>("pending-content", Types.STRING, Types.LONG));
        dirty = getRuntimeContext().getMapState(new MapStateDescriptor<>("dirty", Types.STRING, Types.BOOLEAN));
        scheduled = getRuntimeContext().getState(new ValueStateDescriptor<>("scheduled", Types.LONG));
        counters = getRuntimeContext().getState(new ValueStateDescriptor<>("counters", Types.POJO(TenantCounters.class)));
        plans = new Tally(getRuntimeContext(), "revisionsPlanned");
        expiredState = new Tally(getRuntimeContext(), "expiredState");
    }

    @Override
    public void processElement(ResolverInput input, Context ctx, Collector<AssemblyInput> out) throws Exception {
        long stamp = ctx.timestamp();
        TransactionResolver.Change change = resolver(input.tenant(), tenantCounters()).apply(input);
        for (String traceId : change.resolve()) {
            pendingResolve.put(traceId, max(pendingResolve.get(traceId), stamp));
        }
        for (String traceId : change.content()) {
            pendingContent.put(traceId, max(pendingContent.get(traceId), stamp));
        }
        schedule(ctx, Timers.afterWatermark(ctx.timerService().currentWatermark(), stamp));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AssemblyInput> out) throws Exception {
        Long expected = scheduled.value();
        if (expected == null || expected != timestamp) {
            return; // superseded by an earlier schedule that already did this work
        }
        scheduled.clear();
        long watermark = ctx.timerService().currentWatermark();
        String tenant = ctx.getCurrentKey();
        TenantCounters tenantCounters = tenantCounters();
        TransactionResolver resolver = resolver(tenant, tenantCounters);
        long next = Long.MAX_VALUE;

        List<String> toResolve = new ArrayList<>();
        next = Math.min(next, takeDue(pendingResolve, watermark, toResolve));
        for (String txn : resolver.resolve(toResolve)) {
            dirty.put(txn, true);
        }
        List<String> contentChanged = new ArrayList<>();
        next = Math.min(next, takeDue(pendingContent, watermark, contentChanged));
        for (String traceId : contentChanged) {
            String txn = resolver.transactionOf(traceId);
            if (txn != null) {
                dirty.put(txn, true);
            }
        }
        countExpired(toResolve, contentChanged, resolver);

        Set<String> due = new TreeSet<>();
        List<String> gone = new ArrayList<>();
        for (String txn : dirty.keys()) {
            if (!transactions.contains(txn)) {
                gone.add(txn);
                continue;
            }
            long ready = resolver.readyAt(txn, config.maxHopDelayMs());
            if (ready <= watermark) {
                due.add(txn);
            } else {
                next = Math.min(next, ready);
            }
        }
        for (String txn : gone) {
            dirty.remove(txn);
        }
        for (String txn : due) {
            dirty.remove(txn);
            TransactionPlan plan = resolver.plan(txn, tenantCounters.planSeq + 1);
            if (plan == null) {
                continue; // nothing of it is left: its members' state expired
            }
            tenantCounters.planSeq = plan.seq();
            plans.inc();
            out.collect(plan);
            for (String member : plan.members()) {
                ctx.output(CONTENT_REQUESTS, new ContentInput.ContentRequest(tenant, member, plan.transactionId(),
                        plan.seq(), watermark));
            }
        }
        counters.update(tenantCounters);
        if (next != Long.MAX_VALUE) {
            schedule(ctx, Timers.afterWatermark(watermark, next));
        }
    }

    /**
     * Moves the pending traces stamped at or before the watermark into {@code due} (sorted, so work
     * happens in the same order on every run) and returns the earliest stamp still pending.
     */
    private static long takeDue(MapState<String, Long> pending, long watermark, List<String> due) throws Exception {
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, Long> e : pending.entries()) {
            if (e.getValue() <= watermark) {
                due.add(e.getKey());
            } else {
                next = Math.min(next, e.getValue());
            }
        }
        due.sort(null);
        for (String traceId : due) {
            pending.remove(traceId);
        }
        return next;
    }

    /** Work for a trace whose node expired before the watermark reached it is lost: not silently. */
    /**
     * Work is pending only for traces that had a node, and a node gets a transaction when resolved:
     * a due trace still without one lost its node to the horizon before the watermark came. The
     * resolver's reads are cached, so this asks the state nothing new.
     */
    private void countExpired(List<String> resolved, List<String> contentChanged, TransactionResolver resolver) {
        Set<String> expired = new HashSet<>();
        for (List<String> due : List.of(resolved, contentChanged)) {
            for (String traceId : due) {
                if (resolver.transactionOf(traceId) == null) {
                    expired.add(traceId);
                }
            }
        }
        expired.forEach(traceId -> expiredState.inc());
    }

    private void schedule(Context ctx, long at) throws java.io.IOException {
        Long current = scheduled.value();
        if (current == null || at < current) {
            if (current != null) {
                // The earlier timer does the work due then and schedules what is left.
                ctx.timerService().deleteEventTimeTimer(current);
            }
            scheduled.update(at);
            ctx.timerService().registerEventTimeTimer(at);
        }
    }

    private TenantCounters tenantCounters() throws java.io.IOException {
        TenantCounters c = counters.value();
        return c != null ? c : new TenantCounters();
    }

    /**
     * A resolver over this tenant's state. Reads are cached for the duration of one call, so a node
     * is one object however often the algorithm looks it up (and state backends that copy on read
     * are read once per node). A fresh id number changes {@code tenantCounters}: the caller saves it.
     */
    private TransactionResolver resolver(String tenant, TenantCounters tenantCounters) {
        Map<String, TraceNode> traceCache = new HashMap<>();
        Map<String, TransactionNode> transactionCache = new HashMap<>();
        TransactionResolver.Store store = new TransactionResolver.Store() {
            @Override
            public TraceNode trace(String traceId) {
                return traceCache.computeIfAbsent(traceId, id -> get(traces, id));
            }

            @Override
            public void put(TraceNode node) {
                traceCache.put(node.traceId, node);
                set(traces, node.traceId, node);
            }

            @Override
            public TransactionNode transaction(String transactionId) {
                return transactionCache.computeIfAbsent(transactionId, id -> get(transactions, id));
            }

            @Override
            public void put(TransactionNode node) {
                transactionCache.put(node.transactionId, node);
                set(transactions, node.transactionId, node);
            }

            @Override
            public void removeTransaction(String transactionId) {
                transactionCache.remove(transactionId);
                try {
                    transactions.remove(transactionId);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public long nextIdNumber() {
                return ++tenantCounters.idNumber;
            }
        };
        return new TransactionResolver(store, tenant, !config.unboundedHorizon());
    }

    private static <V> V get(MapState<String, V> state, String key) {
        try {
            return state.get(key);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static <V> void set(MapState<String, V> state, String key, V value) {
        try {
            state.put(key, value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long max(Long current, long stamp) {
        return current == null ? stamp : Math.max(current, stamp);
    }
}
