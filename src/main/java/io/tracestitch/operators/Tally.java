package io.tracestitch.operators;

import org.apache.flink.api.common.accumulators.Accumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/**
 * A count that is both a Flink metric (live, for dashboards) and an accumulator (summed over all
 * subtasks in the job result, which {@code stitch} prints at the end).
 */
public final class Tally {

    private final Counter metric;
    private final LongCounter total;

    public Tally(RuntimeContext context, String name) {
        metric = context.getMetricGroup().counter(name);
        // Chained operators share one task's accumulators: the second with a name adds to the first's.
        Accumulator<Long, Long> registered = context.getAccumulator(name);
        if (registered == null) {
            total = new LongCounter();
            context.addAccumulator(name, total);
        } else {
            total = (LongCounter) registered;
        }
    }

    public void inc() {
        metric.inc();
        total.add(1L);
    }
}
