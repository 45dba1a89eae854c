package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.ParsedInput;
import io.tracestitch.model.PlatformLine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.util.clock.ManualClock;
import org.junit.jupiter.api.Test;

class EventTimeWatermarksTest {

    private static final long OUT_OF_ORDERNESS = 10_000;
    private static final long IDLE = 30_000;

    private final ManualClock clock = new ManualClock();
    private final Output output = new Output();

    private EventTimeWatermarks.QuietAware generator(long idle) {
        return new EventTimeWatermarks.QuietAware(OUT_OF_ORDERNESS, idle, clock);
    }

    @Test
    void trailsTheNewestEventTimeByTheOutOfOrderness() {
        EventTimeWatermarks.QuietAware generator = generator(IDLE);
        generator.onEvent(log(100_000), 0, output);
        generator.onEvent(log(90_000), 0, output);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).containsExactly(100_000 - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void deadLettersNeverMoveIt() {
        EventTimeWatermarks.QuietAware generator = generator(IDLE);
        generator.onEvent(log(100_000), 0, output);
        generator.onEvent(new ParsedInput.Rejected(DeadLetter.of("malformed-json", "{")), Long.MAX_VALUE / 2, output);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).containsExactly(100_000 - OUT_OF_ORDERNESS - 1);
    }

    @Test
    void aQuietPartitionGoesOnWithTheClockAndNeverGoesBack() {
        EventTimeWatermarks.QuietAware generator = generator(IDLE);
        generator.onEvent(log(100_000), 0, output);
        generator.onPeriodicEmit(output);
        clock.advanceTime(IDLE - 1, TimeUnit.MILLISECONDS);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).as("not quiet yet: no new watermark").hasSize(1);
        clock.advanceTime(1 + 5_000, TimeUnit.MILLISECONDS);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).last().isEqualTo(100_000 - OUT_OF_ORDERNESS - 1 + IDLE + 5_000);
        generator.onEvent(log(101_000), 0, output); // a record after the lull, behind the advanced watermark
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).as("never backwards").isSorted().doesNotHaveDuplicates();
        assertThat(output.idle).isFalse();
    }

    @Test
    void aPartitionWithoutRecordsIsIdleOnceQuietAndNeverEmits() {
        EventTimeWatermarks.QuietAware generator = generator(IDLE);
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isFalse();
        clock.advanceTime(IDLE, TimeUnit.MILLISECONDS);
        generator.onPeriodicEmit(output);
        assertThat(output.idle).isTrue();
        assertThat(output.watermarks).isEmpty();
    }

    @Test
    void withoutAnIdleTimeoutAQuietPartitionWaits() {
        EventTimeWatermarks.QuietAware generator = generator(0);
        generator.onEvent(log(100_000), 0, output);
        generator.onPeriodicEmit(output);
        clock.advanceTime(1, TimeUnit.HOURS);
        generator.onPeriodicEmit(output);
        assertThat(output.watermarks).containsExactly(100_000 - OUT_OF_ORDERNESS - 1);
        assertThat(output.idle).isFalse();
    }

    private static ParsedInput log(long timeMs) {
        return new ParsedInput.LogInput(new LogFact("111111111111", "f", timeMs,
                new PlatformLine("req", PlatformLine.Kind.END, 0, 0, 0, 0, 0, 0, null, null)));
    }

    private static final class Output implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
