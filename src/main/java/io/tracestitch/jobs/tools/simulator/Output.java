package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;
import static io.tracestitch.jobs.tools.simulator.Time.SECOND_US;

import io.tracestitch.jobs.tools.simulator.SimulatedSpan.MessageRef;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipeline between the shop and the file: spans are exported at least once, malformed lines slip in
 * now and then, and every line takes its place in the output order.
 */
final class Output {

    private static final long SPAN_JITTER_US = 500 * MS_US;

    private final double duplicateRate;
    private final RandomStream rnd;
    private final Render render;
    private final Garbage garbage;
    private final Agenda agenda;
    private final OutputOrder order;

    Output(double duplicateRate, RandomStream rnd, Render render, Garbage garbage, Agenda agenda, OutputOrder order) {
        this.duplicateRate = duplicateRate;
        this.rnd = rnd;
        this.render = render;
        this.garbage = garbage;
        this.agenda = agenda;
        this.order = order;
    }

    void span(SimulatedSpan s) {
        if (!rnd.chance(duplicateRate)) {
            add(s.endUs(), SPAN_JITTER_US, true, render.span(s));
            return;
        }
        SimulatedSpan first = s;
        SimulatedSpan second = s;
        // At-least-once delivery; sometimes one copy lacks a message entry, so only their union is complete.
        if (!s.messages().isEmpty() && rnd.chance(0.4)) {
            List<MessageRef> fewer = new ArrayList<>(s.messages());
            fewer.remove(rnd.nextInt(fewer.size()));
            if (rnd.nextBoolean()) first = s.withMessages(fewer);
            else second = s.withMessages(fewer);
        }
        add(first.endUs(), SPAN_JITTER_US, true, render.span(first));
        add(first.endUs() + rnd.between(MS_US, 10 * SECOND_US), SPAN_JITTER_US, true, render.span(second));
    }

    /** Any line but a span; eventUs is when it came into being, maxJitterUs how far its delivery may lag. */
    void line(long eventUs, long maxJitterUs, String line) {
        add(eventUs, maxJitterUs, false, line);
    }

    private void add(long eventUs, long maxJitterUs, boolean span, String line) {
        order.add(eventUs, maxJitterUs, span, line);
        if (garbage.follows()) order.add(agenda.nowUs(), maxJitterUs, false, garbage.line());
    }
}
