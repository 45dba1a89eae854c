package io.tracestitch.jobs.tools.simulator;

/** Simulated time is kept in epoch microseconds, so that spans can carry sub-millisecond times. */
final class Time {

    static final long MS_US = 1_000L;
    static final long SECOND_US = 1_000_000L;

    private Time() {}
}
