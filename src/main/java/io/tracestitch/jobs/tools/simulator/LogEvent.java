package io.tracestitch.jobs.tools.simulator;

/** One line a Lambda writes to its log stream; requestId is null for lines outside a request. */
record LogEvent(long timeUs, String requestId, String message) {}
