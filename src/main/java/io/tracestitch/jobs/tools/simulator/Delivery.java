package io.tracestitch.jobs.tools.simulator;

/**
 * A message on its way from a producer span to its consumers. depth counts the traces from the entry
 * request; a spine delivery always continues downstream, so that some chains reach maxDepth.
 */
record Delivery(String id, int depth, boolean spine, String producerTrace, String producerSpan, boolean traced) {

    /** The same message delivered to a further subscriber, which need not continue the chain. */
    Delivery offSpine() {
        return new Delivery(id, depth, false, producerTrace, producerSpan, traced);
    }
}
