package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;
import static io.tracestitch.jobs.tools.simulator.Time.SECOND_US;

import io.tracestitch.jobs.tools.simulator.Environments.Environment;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ships an invocation's log events as they reach TraceStitch: as native log records, or batched per log
 * stream into CloudWatch Logs subscription envelopes.
 */
final class LogShipping {

    private static final long NATIVE_JITTER_US = 200 * MS_US;
    private static final long ENVELOPE_JITTER_US = 1500 * MS_US;
    private static final long ENVELOPE_MAX_AGE_US = 2 * SECOND_US;
    private static final double CONTROL_MESSAGE_RATE = 0.005;
    private static final String LOG_EVENT_ID_PREFIX = "3719971756290717428835512580";

    /** One log stream's events, waiting until there are target of them or they grow stale. */
    private static final class Envelope {
        final String owner;
        final String function;
        final String logStream;
        final int target;
        final long openedUs;
        final List<LogEvent> events = new ArrayList<>();

        Envelope(String owner, String function, String logStream, int target, long openedUs) {
            this.owner = owner;
            this.function = function;
            this.logStream = logStream;
            this.target = target;
            this.openedUs = openedUs;
        }
    }

    private final double envelopeRate;
    private final RandomStream rnd;
    private final Render render;
    private final Agenda agenda;
    private final Output output;
    /** By account, function and environment, in the order they were opened. */
    private final Map<String, Envelope> open = new LinkedHashMap<>();
    private boolean sweepScheduled;

    LogShipping(double envelopeRate, RandomStream rnd, Render render, Agenda agenda, Output output) {
        this.envelopeRate = envelopeRate;
        this.rnd = rnd;
        this.render = render;
        this.agenda = agenda;
        this.output = output;
    }

    void ship(String account, String function, Environment environment, List<LogEvent> events) {
        if (!rnd.chance(envelopeRate)) {
            for (LogEvent e : events) output.line(e.timeUs(), NATIVE_JITTER_US, render.nativeLog(account, function, e));
            return;
        }
        String key = account + "|" + function + "|" + environment.id();
        Envelope envelope = open.get(key);
        if (envelope == null) {
            envelope = new Envelope(account, function, environment.logStream(), 1 + rnd.nextInt(8), agenda.nowUs());
            open.put(key, envelope);
        }
        envelope.events.addAll(events);
        if (envelope.events.size() >= envelope.target) {
            open.remove(key);
            send(envelope);
        } else if (!sweepScheduled) {
            scheduleSweep();
        }
    }

    /** Sends the envelopes still open when the world ends. */
    void flush() {
        for (Envelope e : open.values()) send(e);
        open.clear();
    }

    /** CloudWatch ships a log stream's events within seconds, so stale envelopes are flushed by age. */
    private void sweep() {
        sweepScheduled = false;
        for (Iterator<Envelope> it = open.values().iterator(); it.hasNext(); ) {
            Envelope e = it.next();
            if (agenda.nowUs() - e.openedUs >= ENVELOPE_MAX_AGE_US) {
                it.remove();
                send(e);
            }
        }
        if (!open.isEmpty()) scheduleSweep();
    }

    private void scheduleSweep() {
        sweepScheduled = true;
        agenda.at(agenda.nowUs() + SECOND_US, this::sweep);
    }

    private void send(Envelope e) {
        long lastUs = e.events.stream().mapToLong(LogEvent::timeUs).max().orElseThrow();
        String[] ids = new String[e.events.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = LOG_EVENT_ID_PREFIX + rnd.digits28();
        output.line(lastUs, ENVELOPE_JITTER_US, render.envelope(e.owner, e.function, e.logStream, e.events, ids));
        if (rnd.chance(CONTROL_MESSAGE_RATE)) {
            output.line(lastUs, ENVELOPE_JITTER_US, Render.controlMessage(lastUs / MS_US));
        }
    }
}
