package io.tracestitch.operators.output;

import io.tracestitch.model.PlanOutcome;
import io.tracestitch.operators.Tally;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 * <p>State: the next plan number (two per tenant, never expiring); outcomes that came before their
 * turn, removed when written. They wait only for outcomes of earlier plans still being assembled.
 */
public final class LineOrderFunction extends KeyedProcessFunction<String, PlanOutcome, byte[]> {

    private transient ValueState<Long> next;
    private transient MapState<Long, PlanOutcome> early;
    private transient Tally revisions;

    @Override
    public void open(OpenContext context) {
        next = getRuntimeContext().getState(new ValueStateDescriptor<>("next-plan", Types.LONG));
        early = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("early", Types.LONG, TypeInformation.of(PlanOutcome.class)));
        revisions = new Tally(getRuntimeContext(), "revisionsOut");
    }

    @Override
    public void processElement(PlanOutcome outcome, Context ctx, Collector<byte[]> out) throws Exception {
        Long stored = next.value();
        long turn = stored == null ? 1 : stored;
        if (outcome.seq() != turn) {
            early.put(outcome.seq(), outcome);
            return;
        }
        for (PlanOutcome due = outcome; due != null; due = early.get(turn)) {
            early.remove(turn);
            if (due instanceof PlanOutcome.Written written) {
                out.collect(written.line());
                revisions.inc();
            }
            turn++;
        }
        next.update(turn);
    }
}
