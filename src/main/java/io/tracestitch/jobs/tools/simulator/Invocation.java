package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.jobs.tools.simulator.Environments.Placement;

/** One Lambda invocation as its logs describe it. */
record Invocation(String function, String requestId, Placement placement, long startUs, long durationUs,
                  Outcome outcome) {

    enum Outcome {
        SUCCESS("success"), ERROR("error"), TIMEOUT("timeout");

        /** As Lambda writes it in JSON logs' status fields. */
        final String status;

        Outcome(String status) {
            this.status = status;
        }
    }

    long endUs() {
        return startUs + durationUs;
    }
}
