package io.tracestitch.operators.hop;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by join key: runs {@link HopPairing} on the key's {@link HopSides}. State: at most
 * {@code max-sides-per-key} traces per key; with a horizon (endless streams) it expires
 * {@code max-hop-delay} after the key was last touched (processing time), after which a late side
 * starts the key afresh. No timers.
 */
public final class HopPairingFunction extends KeyedProcessFunction<JoinKey, HopSide, ResolverInput> {

    private final StitchConfig config;
    private transient HopPairing pairing;
    private transient ValueState<HopSides> sides;
    private transient Tally dropped;

    public HopPairingFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<HopSides> descriptor = new ValueStateDescriptor<>("hop-sides", HopSides.class);
        if (config.horizon() != null) {
            Timers.expireAfter(descriptor, Duration.ofMillis(config.maxHopDelayMs()));
        }
        sides = getRuntimeContext().getState(descriptor);
        pairing = new HopPairing(config.maxSidesPerKey());
        dropped = new Tally(getRuntimeContext(), "hopSidesDropped");
    }

    @Override
    public void processElement(HopSide side, Context ctx, Collector<ResolverInput> out) throws Exception {
        HopSides s = sides.value();
        if (s == null) {
            s = new HopSides();
        }
        HopPairing.Outcome outcome = pairing.add(s, side);
        if (outcome.dropped()) {
            dropped.inc();
        }
        outcome.tell().forEach(out::collect);
        if (outcome.changed()) {
            sides.update(s);
        }
    }
}
