package io.tracestitch.jobs.tools.simulator;

import java.util.List;

/**
 * A span as the simulator writes it (see {@link Render#span}); times in epoch microseconds.
 * producerFieldOrder: render with the key order some exporters use for producer spans.
 */
record SimulatedSpan(String tenant, String traceId, String spanId, String parentSpanId, String service,
                     String name, String kind, long startUs, long endUs, boolean error, String requestId,
                     List<MessageRef> messages, List<Link> links, boolean producerFieldOrder) {

    /** operation is "publish" or "receive". */
    record MessageRef(String system, String operation, String destination, String id) {}

    record Link(String traceId, String spanId) {}

    SimulatedSpan withMessages(List<MessageRef> m) {
        return new SimulatedSpan(tenant, traceId, spanId, parentSpanId, service, name, kind, startUs, endUs, error,
                requestId, m, links, producerFieldOrder);
    }
}
