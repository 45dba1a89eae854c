package io.tracestitch.operators.output;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.PlanOutcome;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.model.TransactionRevision;
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
 * Keyed by {@code (tenant, transactionId)}: completes each plan with its members' content and renders
 * the revision's JSON line ({@link TransactionJson}); Order lines then writes each tenant's lines in
 * plan order. Content may arrive before its plan and in any order. A plan still waiting for content
 * when a newer plan of the same transaction arrives is skipped (the newer one says everything it
 * would have), and its late content ignored. Every plan has one outcome, written or skipped.
 *
 * <p>State: the waiting plan and the content that arrived for it, removed once written or skipped and
 * never expiring (the line order waits for every plan's outcome); per transaction, the newest plan
 * number and whether a line was written, expiring with the horizon.
 */
public final class TransactionAssemblerFunction
        extends KeyedProcessFunction<Tuple2<String, String>, AssemblyInput, PlanOutcome> {

    private static final TypeInformation<Tuple2<Long, String>> CONTENT_KEY = Types.TUPLE(Types.LONG, Types.STRING);

    private final StitchConfig config;
    /** The plan waiting for content: pending work, so it never expires. */
    private transient ValueState<PendingPlan> waiting;
    /** (plan number, member trace id) → that member's content for the plan. */
    private transient MapState<Tuple2<Long, String>, MemberContent> contents;
    private transient ValueState<TransactionProgress> progress;
    private transient TransactionJson json;
    private transient Tally transactions;

    public TransactionAssemblerFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        waiting = getRuntimeContext().getState(
                new ValueStateDescriptor<>("waiting-plan", Types.POJO(PendingPlan.class)));
        contents = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("contents", CONTENT_KEY, TypeInformation.of(MemberContent.class)));
        ValueStateDescriptor<TransactionProgress> progressDescriptor =
                new ValueStateDescriptor<>("progress", Types.POJO(TransactionProgress.class));
        Timers.expireAfter(progressDescriptor, config.horizon());
        progress = getRuntimeContext().getState(progressDescriptor);
        json = new TransactionJson(config);
        transactions = new Tally(getRuntimeContext(), "transactionsOut");
    }

    @Override
    public void processElement(AssemblyInput input, Context ctx, Collector<PlanOutcome> out) throws Exception {
        TransactionProgress known = progress.value();
        TransactionProgress p = known != null ? known : new TransactionProgress();
        PendingPlan pending = waiting.value();
        if (input instanceof TransactionPlan plan) {
            if (pending != null) {
                out.collect(new PlanOutcome.Skipped(plan.tenant(), pending.plan.seq()));
                removeContent(pending.plan);
            }
            int received = 0;
            for (String member : plan.members()) {
                received += contents.contains(Tuple2.of(plan.seq(), member)) ? 1 : 0;
            }
            pending = new PendingPlan(plan, received);
            p.lastSeq = plan.seq();
            progress.update(p);
        } else if (input instanceof MemberContent member) {
            boolean forWaitingPlan = pending != null && member.seq() == pending.plan.seq();
            if (!forWaitingPlan && member.seq() <= p.lastSeq) {
                return; // for a plan skipped or written already
            }
            contents.put(Tuple2.of(member.seq(), member.traceId()), member);
            if (!forWaitingPlan) {
                return; // its plan is still on its way
            }
            pending.received++;
        }
        if (pending.complete()) {
            write(pending.plan, p, out);
            waiting.clear();
        } else {
            waiting.update(pending);
        }
    }

    private void write(TransactionPlan plan, TransactionProgress p, Collector<PlanOutcome> out) throws Exception {
        List<MemberContent> members = new ArrayList<>(plan.members().length);
        for (String member : plan.members()) {
            members.add(contents.get(Tuple2.of(plan.seq(), member)));
        }
        removeContent(plan);
        out.collect(new PlanOutcome.Written(plan.seq(), new TransactionRevision(plan.tenant(), plan.transactionId(),
                plan.revision(), plan.supersedes(), json.write(plan, members))));
        if (!p.written) {
            transactions.inc();
            p.written = true;
            progress.update(p);
        }
    }

    private void removeContent(TransactionPlan plan) throws Exception {
        for (String member : plan.members()) {
            contents.remove(Tuple2.of(plan.seq(), member));
        }
    }
}
