package io.tracestitch.operators.invocation;

import io.tracestitch.model.Invocation;

/** Mutable Flink POJO: one request id's invocation so far and the traces whose spans carry it. */
public class InvocationState {
    private static final String[] NO_TRACES = {};

    public String tenant;
    public Invocation invocation;
    public String[] traces = NO_TRACES;
    /** The service of the spans carrying the request id: the function when no log line names one. */
    public String spanService;
    /** The invocation changed since it was last sent to its traces. */
    public boolean changed;
    public boolean timerSet;
    /** Bounded runs: a timer at the end of input counts the request id if no span ever claims it. */
    public boolean orphanCheckSet;
}
