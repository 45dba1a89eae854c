package io.tracestitch.testing;

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

    @Override
    public void watermark(long t) throws Exception {
        harness.processWatermark(new Watermark(t));
    }
}
