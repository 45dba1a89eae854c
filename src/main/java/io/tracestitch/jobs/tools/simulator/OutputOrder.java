package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.SECOND_US;

import io.tracestitch.jobs.tools.simulator.ShopSimulator.Order;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Puts lines into file order. It draws from its own random stream, so the order never changes
 * the lines themselves. SORTED and LATE keep a window: a line whose delivery key lies before the
 * simulation clock can no longer be overtaken, because every later line is created at or after it.
 */
final class OutputOrder {

    private static final double LATE_SPAN_RATE = 0.05;

    private record Pending(long keyUs, long seq, String line) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(keyUs, o.keyUs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final Order order;
    private final Consumer<String> out;
    private final long seed;
    private final SplittableRandom rnd;
    private final PriorityQueue<Pending> window = new PriorityQueue<>();
    private final List<String> all = new ArrayList<>();
    private long seq;
    private long clockUs;

    OutputOrder(Order order, long worldSeed, Consumer<String> out) {
        this.order = order;
        this.out = out;
        this.seed = worldSeed ^ 0x9E3779B97F4A7C15L;
        this.rnd = new SplittableRandom(seed);
    }

    /** The simulation clock moved to nowUs: every line due before it is written. */
    void advance(long nowUs) {
        clockUs = nowUs;
        while (!window.isEmpty() && window.peek().keyUs < nowUs) out.accept(window.poll().line);
    }

    /**
     * eventUs: when the line came into being; jitter and lateness model the delivery pipeline.
     * In LATE order a share of spans arrives 30–120 s late.
     */
    void add(long eventUs, long maxJitterUs, boolean span, String line) {
        if (order == Order.SHUFFLED) {
            all.add(line);
            return;
        }
        long key = Math.max(eventUs, clockUs) + rnd.nextLong(maxJitterUs + 1);
        if (order == Order.LATE && span && rnd.nextDouble() < LATE_SPAN_RATE) {
            key += 30 * SECOND_US + rnd.nextLong(90 * SECOND_US);
        }
        window.add(new Pending(key, seq++, line));
    }

    void finish() {
        if (order == Order.SHUFFLED) {
            Collections.shuffle(all, new Random(seed));
            all.forEach(out);
            all.clear();
        } else {
            while (!window.isEmpty()) out.accept(window.poll().line);
        }
    }
}
