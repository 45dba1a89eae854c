package io.tracestitch.operators.output;

import io.tracestitch.model.PlanOutcome;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.Tally;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by tenant: writes the tenant's revision lines in the order the resolver planned them, by
 * plan number, however the assemblers' timing interleaves them. That order is what makes the output
 * a valid changelog by construction: the resolver never plans an id after the plan that superseded
 * it, plans one id's revisions in increasing order, and names only current ids as upstream; writing
 * in plan order (skipped plans leave no line) keeps all three. The tenant's plans are numbered from
 * 1 without gaps and each has one outcome, so the next one always comes.
 *
 * <p>State: the next plan number (one per tenant, never expiring); outcomes that came before their
 * turn, removed when written. They wait only for outcomes of earlier plans still being assembled, but
 * that is common: lines from different assemblers overtake each other, and when one plan is slow
 * (a huge transaction, a busy content store) every line finished after it waits. A subtask holds up
 * to {@link #DEFAULT_PLAIN_BUDGET} bytes of waiting lines as they are, which covers the ordinary
 * overtaking at no cost; lines beyond it wait deflate-compressed (a quarter of their size).
 */
public final class LineOrderFunction extends KeyedProcessFunction<String, PlanOutcome, TransactionRevision> {

    public static final long DEFAULT_PLAIN_BUDGET = 4L << 20;

    private final long plainBudget;
    private transient ValueState<Long> next;
    private transient MapState<Long, HeldOutcome> early;
    private transient Tally revisions;
    /**
     * Bytes of uncompressed lines this subtask holds. Not checkpointed: after a restore it starts
     * from zero, so at most one budget more is held until those lines are written.
     */
    private transient long plainHeld;

    public LineOrderFunction() {
        this(DEFAULT_PLAIN_BUDGET);
    }

    /** {@code plainBudget}: bytes of waiting lines held uncompressed per subtask. */
    public LineOrderFunction(long plainBudget) {
        this.plainBudget = plainBudget;
    }

    @Override
    public void open(OpenContext context) {
        next = getRuntimeContext().getState(new ValueStateDescriptor<>("next-plan", Types.LONG));
        early = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("early", Types.LONG, Types.POJO(HeldOutcome.class)));
        revisions = new Tally(getRuntimeContext(), "revisionsOut");
    }

    @Override
    public void processElement(PlanOutcome outcome, Context ctx, Collector<TransactionRevision> out) throws Exception {
        Long stored = next.value();
        long turn = stored == null ? 1 : stored;
        if (outcome.seq() != turn) {
            early.put(outcome.seq(), hold(outcome));
            return;
        }
        if (outcome instanceof PlanOutcome.Written written) {
            write(written.revision(), out);
        }
        for (HeldOutcome held = early.get(++turn); held != null; held = early.get(++turn)) {
            early.remove(turn);
            if (held.isSkipped()) {
                continue;
            }
            if (!held.deflated) {
                plainHeld = Math.max(0, plainHeld - held.length);
            }
            write(held.revision(ctx.getCurrentKey()), out);
        }
        next.update(turn);
    }

    private HeldOutcome hold(PlanOutcome outcome) {
        if (!(outcome instanceof PlanOutcome.Written written)) {
            return HeldOutcome.skipped();
        }
        int length = written.revision().line().length;
        boolean compress = plainHeld + length > plainBudget;
        if (!compress) {
            plainHeld += length;
        }
        return HeldOutcome.of(written.revision(), compress);
    }

    private void write(TransactionRevision revision, Collector<TransactionRevision> out) {
        out.collect(revision);
        revisions.inc();
    }
}
