package io.tracestitch.jobs.tools.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Deterministic simulator of a serverless shop that writes TraceStitch's native NDJSON input: spans,
 * Lambda log lines (native records or CloudWatch Logs subscription envelopes) and a few malformed lines.
 *
 * <p>The shop: {@code orders-api} (trace root) publishes to the SNS topic {@code orders}, which fans out
 * to 2–3 subscriber Lambdas. Every further Lambda may publish to a Kinesis stream (batch consumer, the
 * fan-in case), an SQS queue (batch consumer, sometimes with span links), the EventBridge bus (1–2
 * targets) or the SNS topic {@code notifications}. Every consumer starts a new trace, so only message
 * ids and links connect them. The world is a discrete-event simulation run in event-time order (see
 * {@link World}); the same options give byte-identical output, and the wall clock is never read.
 */
public final class ShopSimulator {

    /** Simulated time starts at 2024-11-23T22:13:20Z by default. */
    public static final long EPOCH_MS = 1_732_400_000_000L;

    public enum Order { SORTED, LATE, SHUFFLED }

    public record Options(long seed, List<String> tenants, int requestsPerTenant, int maxDepth,
                          double untracedProducerRate, double duplicateRate, double collidingIdRate,
                          double linkRate, double jsonLogRate, double envelopeRate, double snapStartRate,
                          double timeoutRate, double garbageRate, Order order, long startMs) {

        public Options {
            tenants = List.copyOf(tenants);
            if (tenants.isEmpty() || !tenants.stream().allMatch(t -> t.matches("\\d{12}"))) {
                throw new IllegalArgumentException("tenants must be 12-digit account ids: " + tenants);
            }
            if (tenants.stream().distinct().count() != tenants.size()) {
                throw new IllegalArgumentException("duplicate tenant: " + tenants);
            }
            if (requestsPerTenant < 0) throw new IllegalArgumentException("requestsPerTenant < 0");
            if (maxDepth < 1 || maxDepth > 12) throw new IllegalArgumentException("maxDepth must be 1..12");
            checkRate("untracedProducerRate", untracedProducerRate, 0.15);
            checkRate("duplicateRate", duplicateRate, 1);
            checkRate("collidingIdRate", collidingIdRate, 1);
            checkRate("linkRate", linkRate, 1);
            checkRate("jsonLogRate", jsonLogRate, 1);
            checkRate("envelopeRate", envelopeRate, 1);
            checkRate("snapStartRate", snapStartRate, 1);
            checkRate("timeoutRate", timeoutRate, 1);
            checkRate("garbageRate", garbageRate, 0.5);
            Objects.requireNonNull(order, "order");
        }

        private static void checkRate(String name, double value, double max) {
            if (!(value >= 0 && value <= max)) throw new IllegalArgumentException(name + " must be in [0, " + max + "]");
        }

        public static Options defaults() {
            return new Options(42, List.of("111111111111", "222222222222"), 50, 8, 0.05, 0.03, 0.02, 0.1,
                    0.5, 0.3, 0.05, 0.03, 0.002, Order.SORTED, EPOCH_MS);
        }

        public Options withSeed(long v) { return with(b -> b.seed = v); }
        public Options withTenants(List<String> v) { return with(b -> b.tenants = v); }
        public Options withRequestsPerTenant(int v) { return with(b -> b.requestsPerTenant = v); }
        public Options withMaxDepth(int v) { return with(b -> b.maxDepth = v); }
        public Options withUntracedProducerRate(double v) { return with(b -> b.untracedProducerRate = v); }
        public Options withDuplicateRate(double v) { return with(b -> b.duplicateRate = v); }
        public Options withCollidingIdRate(double v) { return with(b -> b.collidingIdRate = v); }
        public Options withLinkRate(double v) { return with(b -> b.linkRate = v); }
        public Options withJsonLogRate(double v) { return with(b -> b.jsonLogRate = v); }
        public Options withEnvelopeRate(double v) { return with(b -> b.envelopeRate = v); }
        public Options withSnapStartRate(double v) { return with(b -> b.snapStartRate = v); }
        public Options withTimeoutRate(double v) { return with(b -> b.timeoutRate = v); }
        public Options withGarbageRate(double v) { return with(b -> b.garbageRate = v); }
        public Options withOrder(Order v) { return with(b -> b.order = v); }
        /** When simulated time starts (epoch ms): {@link #EPOCH_MS} unless a live generator sets now. */
        public Options withStartMs(long v) { return with(b -> b.startMs = v); }

        private Options with(Consumer<Copy> change) {
            Copy copy = new Copy(this);
            change.accept(copy);
            return copy.toOptions();
        }

        /** A mutable copy, so that each with-method names only the component it changes. */
        private static final class Copy {
            long seed;
            List<String> tenants;
            int requestsPerTenant;
            int maxDepth;
            double untracedProducerRate;
            double duplicateRate;
            double collidingIdRate;
            double linkRate;
            double jsonLogRate;
            double envelopeRate;
            double snapStartRate;
            double timeoutRate;
            double garbageRate;
            Order order;
            long startMs;

            Copy(Options o) {
                seed = o.seed;
                tenants = o.tenants;
                requestsPerTenant = o.requestsPerTenant;
                maxDepth = o.maxDepth;
                untracedProducerRate = o.untracedProducerRate;
                duplicateRate = o.duplicateRate;
                collidingIdRate = o.collidingIdRate;
                linkRate = o.linkRate;
                jsonLogRate = o.jsonLogRate;
                envelopeRate = o.envelopeRate;
                snapStartRate = o.snapStartRate;
                timeoutRate = o.timeoutRate;
                garbageRate = o.garbageRate;
                order = o.order;
                startMs = o.startMs;
            }

            Options toOptions() {
                return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate,
                        collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate,
                        order, startMs);
            }
        }
    }

    private final Options options;

    public ShopSimulator(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        new World(options, lines::add).run();
        return lines;
    }

    /** Writes the world as NDJSON lines and returns how many. */
    public long write(Writer out) throws IOException {
        long[] count = {0};
        try {
            new World(options, line -> {
                try {
                    out.write(line);
                    out.write('\n');
                    count[0]++;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
        return count[0];
    }
}
