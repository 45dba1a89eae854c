package io.tracestitch.operators.hop;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;

import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;

import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by join key: pairs the traces that published a message with those that received it, in
 * either arrival order. Every time a receiver's set of publishers changes (including "none yet") it
 * tells the resolver, so fan-out, colliding ids and late producers are all just set updates.
 * State: at most {@code max-sides-per-key} traces per key; on endless streams it expires
 * {@code max-hop-delay} after the key was last touched.
 */
public final class HopPairingFunction extends KeyedProcessFunction<String, HopSide, ResolverInput> {

    /** Mutable Flink POJO: both sides of one join key. */
    public static class Sides {
        // Shared empty: the arrays are replaced when they grow, never written in place.
        private static final String[] NONE = {};
        public String[] publishers = NONE;
        public String[] receivers = NONE;
    }

    private final StitchConfig config;
    private transient ValueState<Sides> sides;
    private transient Tally dropped;

    public HopPairingFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Sides> descriptor = new ValueStateDescriptor<>("hop-sides", Sides.class);
        if (config.horizon() != null) {
            Timers.expireAfter(descriptor, java.time.Duration.ofMillis(config.maxHopDelayMs()));
        }
        sides = getRuntimeContext().getState(descriptor);
        dropped = new Tally(getRuntimeContext(), "hopSidesDropped");
    }

    @Override
    public void processElement(HopSide side, Context ctx, Collector<ResolverInput> out) throws Exception {
        Sides s = sides.value();
        if (s == null) {
            s = new Sides();
        }
        String[] known = side.publish() ? s.publishers : s.receivers;
        if (contains(known, side.traceId())) {
            return;
        }
        if (s.publishers.length + s.receivers.length >= config.maxSidesPerKey()) {
            dropped.inc();
            return;
        }
        String[] grown = Arrays.copyOf(known, known.length + 1);
        grown[known.length] = side.traceId();
        if (side.publish()) {
            s.publishers = grown;
            for (String receiver : s.receivers) {
                out.collect(ResolverInput.hop(side.tenant(), receiver, side.joinKey(), s.publishers));
            }
        } else {
            s.receivers = grown;
            out.collect(ResolverInput.hop(side.tenant(), side.traceId(), side.joinKey(), s.publishers));
        }
        sides.update(s);
    }

    private static boolean contains(String[] values, String value) {
        for (String v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
