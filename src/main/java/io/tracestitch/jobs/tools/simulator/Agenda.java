package io.tracestitch.jobs.tools.simulator;

import java.util.PriorityQueue;
import java.util.function.LongConsumer;

/** The discrete-event clock: actions run in simulated-time order, ties in the order they were scheduled. */
final class Agenda {

    private record Event(long timeUs, long seq, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(timeUs, o.timeUs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private long scheduled;
    private long nowUs;

    long nowUs() {
        return nowUs;
    }

    void at(long timeUs, Runnable action) {
        events.add(new Event(timeUs, scheduled++, action));
    }

    /** Runs every event, including those scheduled meanwhile; onTick sees the clock before each event runs. */
    void run(LongConsumer onTick) {
        while (!events.isEmpty()) {
            Event e = events.poll();
            nowUs = e.timeUs;
            onTick.accept(nowUs);
            e.action.run();
        }
    }
}
