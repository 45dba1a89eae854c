package io.tracestitch.operators.ingest;

import io.tracestitch.model.ParsedInput;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time of streaming input: the span's end or the log line's time, watermarks trailing the
 * newest by the out-of-orderness. Dead letters have no event time and never move a watermark (a
 * bad record stamped with its arrival time would make every later record late). Used on a source it
 * gives a watermark per partition or split; {@code idleness} lets an idle partition stop holding
 * the others back.
 */
public final class EventTimeWatermarks {

    private EventTimeWatermarks() {}

    public static WatermarkStrategy<ParsedInput> strategy(Duration outOfOrderness, Duration idleness) {
        WatermarkStrategy<ParsedInput> strategy = WatermarkStrategy
                .<ParsedInput>forGenerator(context -> new IgnoringTimeless(outOfOrderness))
                .withTimestampAssigner((input, recordTimestamp) -> input instanceof ParsedInput.Rejected
                        ? recordTimestamp : input.eventTimeMs());
        return idleness.isZero() ? strategy : strategy.withIdleness(idleness);
    }

    private static final class IgnoringTimeless implements WatermarkGenerator<ParsedInput> {
        private final BoundedOutOfOrdernessWatermarks<ParsedInput> bounded;

        IgnoringTimeless(Duration outOfOrderness) {
            bounded = new BoundedOutOfOrdernessWatermarks<>(outOfOrderness);
        }

        @Override
        public void onEvent(ParsedInput input, long timestamp, WatermarkOutput output) {
            if (!(input instanceof ParsedInput.Rejected)) {
                bounded.onEvent(input, input.eventTimeMs(), output);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            bounded.onPeriodicEmit(output);
        }
    }
}
