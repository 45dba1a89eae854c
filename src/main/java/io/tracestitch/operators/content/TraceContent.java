package io.tracestitch.operators.content;

import io.tracestitch.model.Invocation;
import io.tracestitch.model.TraceDigest;

/** Mutable Flink POJO: a trace's content; {@code digest} is null until its spans close. */
public class TraceContent {
    private static final Invocation[] NO_INVOCATIONS = {};

    public TraceDigest digest;
    public Invocation[] invocations = NO_INVOCATIONS;
}
