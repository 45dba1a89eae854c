package io.tracestitch.operators.ingest;

import io.tracestitch.model.ParsedInput;
import io.tracestitch.operators.Timers;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Event time of streaming input: the span's end or the log line's time, the watermark trailing the
 * newest by the out-of-orderness. Used on a source it gives a watermark per partition or split.
 *
 * <p>Two rules beyond Flink's bounded out-of-orderness, both about input that stops:
 * <ul>
 *   <li>Dead letters have no event time and never move the watermark (a bad record stamped with its
 *       arrival time would make every later record late).</li>
 *   <li>A partition quiet for {@code idleTimeout} lets its event time go on with the clock: its
 *       watermark advances by the time it has been quiet. Without this the last transactions
 *       before a lull (a night, the end of a test) would wait for the next record, and one quiet
 *       partition would hold back all others. A partition that never had a record is marked idle
 *       instead, so it holds back nothing. Records that come after a lull may be late by then; late
 *       records are still stitched (they give more revisions), up to the horizon.</li>
 * </ul>
 * Quiet time is measured on Flink's input activity clock, which stands still while the source is
 * back-pressured: a busy job is not taken for a quiet one.
 */
public final class EventTimeWatermarks {

    private EventTimeWatermarks() {}

    /** {@code idleTimeout} zero: a quiet partition keeps its watermark (and holds back the others). */
    public static WatermarkStrategy<ParsedInput> strategy(Duration outOfOrderness, Duration idleTimeout) {
        return WatermarkStrategy
                .<ParsedInput>forGenerator(context -> new QuietAware(outOfOrderness.toMillis(),
                        idleTimeout.toMillis(), context.getInputActivityClock()))
                .withTimestampAssigner((input, recordTimestamp) -> input instanceof ParsedInput.Rejected
                        ? recordTimestamp : input.eventTimeMs());
    }

    /** The generator, for one partition; package-private for its tests. */
    static final class QuietAware implements WatermarkGenerator<ParsedInput> {
        private final long outOfOrdernessMs;
        private final long idleTimeoutMs;
        private final RelativeClock clock;
        private long newestEventTime = Long.MIN_VALUE;
        private long lastEventAtMs;
        private long emitted = Long.MIN_VALUE;

        QuietAware(long outOfOrdernessMs, long idleTimeoutMs, RelativeClock clock) {
            this.outOfOrdernessMs = outOfOrdernessMs;
            this.idleTimeoutMs = idleTimeoutMs;
            this.clock = clock;
            lastEventAtMs = nowMs();
        }

        @Override
        public void onEvent(ParsedInput input, long timestamp, WatermarkOutput output) {
            if (!(input instanceof ParsedInput.Rejected)) {
                newestEventTime = Math.max(newestEventTime, input.eventTimeMs());
                lastEventAtMs = nowMs();
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long quietMs = nowMs() - lastEventAtMs;
            boolean quiet = idleTimeoutMs > 0 && quietMs >= idleTimeoutMs;
            if (newestEventTime == Long.MIN_VALUE) {
                if (quiet) {
                    output.markIdle();
                }
                return;
            }
            long watermark = Timers.plus(newestEventTime, -outOfOrdernessMs - 1);
            if (quiet) {
                watermark = Timers.plus(watermark, quietMs);
            }
            if (watermark > emitted) {
                emitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            }
        }

        private long nowMs() {
            return clock.relativeTimeMillis();
        }
    }
}
