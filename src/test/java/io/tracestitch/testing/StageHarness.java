package io.tracestitch.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * One keyed stage under Flink's operator test harness (heap state backend), with the moves a
 * scenario needs: advance the watermark, take what came out, look at state, timers and tallies, and
 * move the state time-to-live clock. Harness APIs are not public Flink API and change between
 * releases, so tests go through this class ({@link Harnesses} builds one per stage).
 */
public abstract class StageHarness<OUT> implements AutoCloseable {

    private final AbstractStreamOperatorTestHarness<OUT> harness;

    StageHarness(AbstractStreamOperatorTestHarness<OUT> harness) {
        this.harness = harness;
    }

    /** Advances the watermark (of every input) to {@code t}: fires every event-time timer at or before it. */
    public abstract void watermark(long t) throws Exception;

    /** The records emitted since the last drain, in order. */
    public List<OUT> drain() {
        List<OUT> out = new ArrayList<>(harness.extractOutputValues());
        harness.getOutput().clear();
        return out;
    }

    /** The records sent to {@code tag} since the last drain of it, in order. */
    public <T> List<T> drainSide(OutputTag<T> tag) {
        Queue<StreamRecord<T>> records = harness.getSideOutput(tag);
        List<T> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
            records.clear();
        }
        return out;
    }

    /** Keyed state entries: one per key and state that holds something (an empty map or list holds nothing). */
    public int stateEntries() {
        return ((HeapKeyedStateBackend<?>) backend()).numKeyValueStateEntries();
    }

    /** How many keys hold something in the state named {@code stateName} (its descriptor's name). */
    public long keysHolding(String stateName) {
        try (var keys = backend().getKeys(stateName, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    public int eventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    /** The total of the operator's {@code Tally} (metric and accumulator) named {@code name}. */
    public long tally(String name) {
        Accumulator<?, ?> accumulator = harness.getEnvironment().getAccumulatorRegistry().getUserMap().get(name);
        if (accumulator == null) {
            throw new AssertionError("the operator registers no tally named " + name);
        }
        return (Long) accumulator.getLocalValue();
    }

    /**
     * Sets the processing time that state time-to-live reads. In Flink 1.20 the harness gives the state
     * backend its own TTL clock (a {@code MockTtlTimeProvider}, starting at 0), separate from the
     * processing-time service: {@code setProcessingTime} does not expire state, this does.
     */
    public void setStateClock(long processingTimeMs) {
        harness.setStateTtlProcessingTime(processingTimeMs);
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }

    private KeyedStateBackend<?> backend() {
        return harness.getOperator().getKeyedStateBackend();
    }
}
