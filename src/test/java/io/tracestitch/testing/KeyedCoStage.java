package io.tracestitch.testing;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** A two-input keyed stage under test: see {@link StageHarness}. Its watermark is the minimum of both inputs'. */
public final class KeyedCoStage<K, IN1, IN2, OUT> extends StageHarness<OUT> {

    private final KeyedTwoInputStreamOperatorTestHarness<K, IN1, IN2, OUT> harness;

    KeyedCoStage(KeyedTwoInputStreamOperatorTestHarness<K, IN1, IN2, OUT> harness) {
        super(harness);
        this.harness = harness;
    }

    public void add1(IN1 value, long timestamp) throws Exception {
        harness.processElement1(value, timestamp);
    }

    public void add2(IN2 value, long timestamp) throws Exception {
        harness.processElement2(value, timestamp);
    }

    /** Advances both inputs' watermarks to {@code t}. */
    @Override
    public void watermark(long t) throws Exception {
        harness.processBothWatermarks(new Watermark(t));
    }
}
