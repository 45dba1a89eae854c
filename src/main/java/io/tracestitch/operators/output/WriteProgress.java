package io.tracestitch.operators.output;

/** Mutable Flink POJO: how far one tenant's plans have come. Plans are numbered from 1. */
public class WriteProgress {
    /** The highest plan number received: plans arrive in order, so every lower one arrived too. */
    public long lastPlan;
    /** The next plan number to write (or skip, if it was dropped). */
    public long next = 1;
}
