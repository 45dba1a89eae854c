package io.tracestitch.operators;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;

/**
 * A count that is both a Flink metric (live, for dashboards) and an accumulator (summed over all
 * subtasks in the job result, which {@code stitch} prints at the end).
 */
public final class Tally {

    private final Counter metric;
    private final LongCounter total = new LongCounter();

    public Tally(RuntimeContext context, String name) {
        metric = context.getMetricGroup().counter(name);
        if (context.getAccumulator(name) == null) {
            context.addAccumulator(name, total);
        }
    }

    public void inc() {
        metric.inc();
        total.add(1L);
    }
}
