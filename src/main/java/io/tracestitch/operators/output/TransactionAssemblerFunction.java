package io.tracestitch.operators.output;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.TransactionPlan;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by {@code (tenant, transactionId)}: waits for a plan and its members' content, then writes
 * the revision as one JSON line (UTF-8). Content of an older revision than the newest plan is dropped;
 * content may arrive before its plan. State between revisions: the last written revision number.
 */
public final class TransactionAssemblerFunction extends KeyedProcessFunction<Tuple2<String, String>, AssemblyInput, byte[]> {

    /** Mutable Flink POJO: one revision being assembled. */
    public static class Assembly {
        public TransactionPlan plan;
        public MemberContent[] members = new MemberContent[0];
        public int written;
    }

    private final StitchConfig config;
    private transient ValueState<Assembly> assembly;
    private transient TransactionWriter writer;
    private transient Tally transactions;
    private transient Tally revisions;

    public TransactionAssemblerFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Assembly> descriptor = new ValueStateDescriptor<>("assembly", Assembly.class);
        Timers.expireAfter(descriptor, config.horizon());
        assembly = getRuntimeContext().getState(descriptor);
        writer = new TransactionWriter(config);
        transactions = new Tally(getRuntimeContext(), "transactionsOut");
        revisions = new Tally(getRuntimeContext(), "revisionsOut");
    }

    @Override
    public void processElement(AssemblyInput input, Context ctx, Collector<byte[]> out) throws Exception {
        Assembly a = assembly.value();
        if (a == null) {
            a = new Assembly();
        }
        int newest = Math.max(a.written, a.plan == null ? 0 : a.plan.revision());
        if (input.plan() != null) {
            if (input.plan().revision() <= newest) {
                return;
            }
            a.plan = input.plan();
            newest = a.plan.revision();
        } else if (input.member().revision() > a.written) {
            a.members = append(a.members, input.member());
        }
        List<MemberContent> current = new ArrayList<>();
        List<MemberContent> keep = new ArrayList<>();
        for (MemberContent m : a.members) {
            if (m.revision() >= newest) {
                keep.add(m);
                if (a.plan != null && m.revision() == a.plan.revision()) {
                    current.add(m);
                }
            }
        }
        if (a.plan != null && current.size() == a.plan.members().length) {
            out.collect(writer.write(a.plan, current));
            if (a.written == 0) {
                transactions.inc();
            }
            revisions.inc();
            int written = a.plan.revision();
            a.written = written;
            a.plan = null;
            keep.removeIf(m -> m.revision() <= written);
        }
        a.members = keep.toArray(new MemberContent[0]);
        assembly.update(a);
    }

    private static MemberContent[] append(MemberContent[] values, MemberContent value) {
        MemberContent[] out = java.util.Arrays.copyOf(values, values.length + 1);
        out[values.length] = value;
        return out;
    }
}
