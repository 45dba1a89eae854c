package io.tracestitch.testing;

import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** A one-input keyed stage under test: see {@link StageHarness}. */
public final class KeyedStage<K, IN, OUT> extends StageHarness<OUT> {

    private final KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness;

    KeyedStage(KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness) {
        super(harness);
        this.harness = harness;
    }

    /** Feeds one record stamped {@code timestamp} (event time). */
    public void add(IN value, long timestamp) throws Exception {
        harness.processElement(value, timestamp);
    }

    /** The value the operator's value state holds for {@code key} (a bounded run's state: no time-to-live). */
    public <S> S value(K key, ValueStateDescriptor<S> descriptor) throws Exception {
        KeyedStateBackend<K> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(key);
        return backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor).value();
    }

    @Override
    public void watermark(long t) throws Exception {
        harness.processWatermark(new Watermark(t));
    }
}
