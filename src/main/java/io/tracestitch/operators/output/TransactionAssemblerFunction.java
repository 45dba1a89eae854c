package io.tracestitch.operators.output;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by tenant: completes each plan with its members' content and writes the revision as one JSON
 * line (UTF-8), <em>in the order the resolver made the plans</em>. That order is what makes the
 * output a valid changelog by construction, whatever the timing of the content: the resolver never
 * plans an id after the plan that superseded it, plans one id's revisions in increasing order, and
 * names only current ids as upstream; writing in plan order keeps all three. All of a tenant's plans
 * come from one resolver subtask through one channel, so they arrive here in order; content, from
 * many stores, may come earlier or later than its plan.
 *
 * <p>A plan still waiting when a newer plan of the same transaction, or one superseding it, arrives
 * is dropped: the newer one says everything it would have.
 *
 * <p>State: the plans not yet written with the content that arrived for them, removed as plans are
 * written or dropped (never expiring: every plan is answered); the tenant's progress (two numbers,
 * kept for good); the last revision written per transaction (for {@code transactionsOut}), expiring
 * with the horizon.
 */
public final class TransactionAssemblerFunction extends KeyedProcessFunction<String, AssemblyInput, byte[]> {

    private static final TypeInformation<Tuple2<Long, String>> CONTENT_KEY = Types.TUPLE(Types.LONG, Types.STRING);

    private final StitchConfig config;
    private transient MapState<Long, PendingPlan> pending;
    /** (plan number, member trace id) → that member's content for the plan. */
    private transient MapState<Tuple2<Long, String>, MemberContent> contents;
    /** Transaction id → the number of its plan waiting here. */
    private transient MapState<String, Long> waitingPlanOf;
    private transient MapState<String, Integer> lastWritten;
    private transient ValueState<WriteProgress> progress;
    private transient TransactionJson json;
    private transient Tally transactions;
    private transient Tally revisions;

    public TransactionAssemblerFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        pending = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("pending-plans", Types.LONG, Types.POJO(PendingPlan.class)));
        contents = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("contents", CONTENT_KEY, TypeInformation.of(MemberContent.class)));
        waitingPlanOf = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("waiting-plan-of", Types.STRING, Types.LONG));
        MapStateDescriptor<String, Integer> written = new MapStateDescriptor<>("last-written", Types.STRING, Types.INT);
        Timers.expireAfter(written, config.horizon());
        lastWritten = getRuntimeContext().getMapState(written);
        progress = getRuntimeContext().getState(new ValueStateDescriptor<>("progress", Types.POJO(WriteProgress.class)));
        json = new TransactionJson(config);
        transactions = new Tally(getRuntimeContext(), "transactionsOut");
        revisions = new Tally(getRuntimeContext(), "revisionsOut");
    }

    @Override
    public void processElement(AssemblyInput input, Context ctx, Collector<byte[]> out) throws Exception {
        WriteProgress p = progress.value();
        if (p == null) {
            p = new WriteProgress();
        }
        if (input instanceof TransactionPlan plan) {
            p.lastPlan = plan.seq();
            drop(plan.transactionId());
            for (String superseded : plan.supersedes()) {
                drop(superseded);
                lastWritten.remove(superseded);
            }
            int received = 0;
            for (String member : plan.members()) {
                received += contents.contains(Tuple2.of(plan.seq(), member)) ? 1 : 0;
            }
            pending.put(plan.seq(), new PendingPlan(plan, received));
            waitingPlanOf.put(plan.transactionId(), plan.seq());
        } else if (input instanceof MemberContent member) {
            long seq = member.seq();
            PendingPlan waiting = pending.get(seq);
            if (waiting == null && seq <= p.lastPlan) {
                return; // its plan was dropped or written already
            }
            contents.put(Tuple2.of(seq, member.traceId()), member);
            if (waiting != null) {
                waiting.received++;
                pending.put(seq, waiting);
            }
        }
        writeReady(p, out);
        progress.update(p);
    }

    /** Drops the plan of this transaction still waiting here, if any. */
    private void drop(String transactionId) throws Exception {
        Long seq = waitingPlanOf.get(transactionId);
        if (seq == null) {
            return;
        }
        waitingPlanOf.remove(transactionId);
        PendingPlan dropped = pending.get(seq);
        pending.remove(seq);
        for (String member : dropped.plan.members()) {
            contents.remove(Tuple2.of(seq, member));
        }
    }

    /** Writes complete plans from the next one on, stopping at the first that still waits for content. */
    private void writeReady(WriteProgress p, Collector<byte[]> out) throws Exception {
        while (p.next <= p.lastPlan) {
            PendingPlan head = pending.get(p.next);
            if (head != null) {
                if (!head.complete()) {
                    return;
                }
                write(head.plan, out);
            }
            p.next++;
        }
    }

    private void write(TransactionPlan plan, Collector<byte[]> out) throws Exception {
        List<MemberContent> members = new ArrayList<>(plan.members().length);
        for (String member : plan.members()) {
            Tuple2<Long, String> key = Tuple2.of(plan.seq(), member);
            members.add(contents.get(key));
            contents.remove(key);
        }
        pending.remove(plan.seq());
        waitingPlanOf.remove(plan.transactionId());
        out.collect(json.write(plan, members));
        if (lastWritten.get(plan.transactionId()) == null) {
            transactions.inc();
        }
        lastWritten.put(plan.transactionId(), plan.revision());
        revisions.inc();
    }
}
