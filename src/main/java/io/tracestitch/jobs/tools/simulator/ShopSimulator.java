package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.model.Span;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Deterministic simulator of a serverless shop that writes TraceStitch's native NDJSON input: spans,
 * Lambda log lines (native records or CloudWatch Logs subscription envelopes) and a few malformed lines.
 *
 * <p>The shop: {@code orders-api} (trace root) publishes to the SNS topic {@code orders}, which fans out
 * to 2–3 subscriber Lambdas. Every further Lambda may publish to a Kinesis stream (batch consumer, the
 * fan-in case), an SQS queue (batch consumer, sometimes with span links), the EventBridge bus (1–2
 * targets) or the SNS topic {@code notifications}. Every consumer starts a new trace, so only message
 * ids and links connect them. The world is a discrete-event simulation run in event-time order; the
 * same options give byte-identical output, and the wall clock is never read.
 */
public final class ShopSimulator {

    /** Simulated time starts at 2024-11-23T22:13:20Z. */
    public static final long EPOCH_MS = 1_732_400_000_000L;

    private static final long SECOND_US = 1_000_000L;
    private static final long MS_US = 1_000L;
    private static final double COLD_START_RATE = 0.03;
    private static final double ERROR_RATE = 0.01;
    /** A non-spine invocation publishes downstream with this probability; kept below 1 so fan-out stays finite. */
    private static final double CONTINUE_RATE = 0.55;
    private static final double BRANCH_RATE = 0.1;
    /** Share of entry requests whose first branch always continues, so chains reach maxDepth. */
    private static final double SPINE_RATE = 0.2;
    private static final double LATE_SPAN_RATE = 0.05;
    private static final double CONTROL_MESSAGE_RATE = 0.005;
    private static final double NEVER_EMITTED_LINK_RATE = 0.2;
    private static final long TIMEOUT_US = 3 * SECOND_US;
    private static final long MEAN_INTER_ARRIVAL_US = 400 * MS_US;
    private static final long ENVELOPE_MAX_AGE_US = 2 * SECOND_US;
    private static final int MAX_ENVIRONMENTS = 6;
    private static final int COLLISION_POOL_SIZE = 256;
    private static final String KINESIS_SEQ_PREFIX = "49545115243490985018280067714973144582180";
    private static final String LOG_EVENT_ID_PREFIX = "3719971756290717428835512580";
    private static final DateTimeFormatter ISO_SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter LOG_STREAM_DAY =
            DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);

    public enum Order { SORTED, LATE, SHUFFLED }

    public record Options(long seed, List<String> tenants, int requestsPerTenant, int maxDepth,
                          double untracedProducerRate, double duplicateRate, double collidingIdRate,
                          double linkRate, double jsonLogRate, double envelopeRate, double snapStartRate,
                          double timeoutRate, double garbageRate, Order order) {

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
                    0.5, 0.3, 0.05, 0.03, 0.002, Order.SORTED);
        }

        public Options withSeed(long v) { return new Options(v, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withTenants(List<String> v) { return new Options(seed, v, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withRequestsPerTenant(int v) { return new Options(seed, tenants, v, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withMaxDepth(int v) { return new Options(seed, tenants, requestsPerTenant, v, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withUntracedProducerRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, v, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withDuplicateRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, v, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withCollidingIdRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, v, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withLinkRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, v, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withJsonLogRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, v, envelopeRate, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withEnvelopeRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, v, snapStartRate, timeoutRate, garbageRate, order); }
        public Options withSnapStartRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, v, timeoutRate, garbageRate, order); }
        public Options withTimeoutRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, v, garbageRate, order); }
        public Options withGarbageRate(double v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, v, order); }
        public Options withOrder(Order v) { return new Options(seed, tenants, requestsPerTenant, maxDepth, untracedProducerRate, duplicateRate, collidingIdRate, linkRate, jsonLogRate, envelopeRate, snapStartRate, timeoutRate, garbageRate, v); }
    }

    private final Options options;

    public ShopSimulator(Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Writes the world as NDJSON lines. */
    public void write(Writer out) throws IOException {
        try {
            new World(options, line -> {
                try {
                    out.write(line);
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).run();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
    }

    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        new World(options, lines::add).run();
        return lines;
    }

    /**
     * Command-line: {@code java ... ShopSimulator --out file --requests N --seed S --order shuffled ...}.
     * Without {@code --out} the lines go to stdout; a summary goes to stderr.
     */
    public static void main(String[] args) throws IOException {
        Options o = Options.defaults();
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + args[i]);
            String v = args[i + 1];
            switch (args[i]) {
                case "--out" -> out = Path.of(v);
                case "--seed" -> o = o.withSeed(Long.parseLong(v));
                case "--tenants" -> o = o.withTenants(Arrays.asList(v.split(",")));
                case "--requests" -> o = o.withRequestsPerTenant(Integer.parseInt(v));
                case "--depth" -> o = o.withMaxDepth(Integer.parseInt(v));
                case "--untraced" -> o = o.withUntracedProducerRate(Double.parseDouble(v));
                case "--duplicates" -> o = o.withDuplicateRate(Double.parseDouble(v));
                case "--colliding" -> o = o.withCollidingIdRate(Double.parseDouble(v));
                case "--links" -> o = o.withLinkRate(Double.parseDouble(v));
                case "--json-logs" -> o = o.withJsonLogRate(Double.parseDouble(v));
                case "--envelopes" -> o = o.withEnvelopeRate(Double.parseDouble(v));
                case "--snapstart" -> o = o.withSnapStartRate(Double.parseDouble(v));
                case "--timeouts" -> o = o.withTimeoutRate(Double.parseDouble(v));
                case "--garbage" -> o = o.withGarbageRate(Double.parseDouble(v));
                case "--order" -> o = o.withOrder(Order.valueOf(v.toUpperCase(Locale.ROOT)));
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--out --seed --tenants --requests --depth --untraced --duplicates --colliding"
                        + " --links --json-logs --envelopes --snapstart --timeouts --garbage --order)");
            }
        }
        long[] count = {0};
        long started = System.nanoTime();
        try (Writer w = out == null
                ? new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16)
                : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            Writer counting = new Writer() {
                @Override public void write(char[] buf, int off, int len) throws IOException { w.write(buf, off, len); }
                @Override public void write(String s) throws IOException { w.write(s); }
                @Override public void write(int c) throws IOException {
                    if (c == '\n') count[0]++;
                    w.write(c);
                }
                @Override public void flush() throws IOException { w.flush(); }
                @Override public void close() throws IOException { w.close(); }
            };
            new ShopSimulator(o).write(counting);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.err.printf(Locale.ROOT, "%d lines in %.2f s (%.0f lines/s)%n", count[0], seconds, count[0] / seconds);
    }

    // ---------------------------------------------------------------- topology

    private enum Sys {
        SNS("sns"), SQS("sqs"), KINESIS("kinesis"), EVENTBRIDGE("eventbridge");
        final String wire;
        Sys(String wire) { this.wire = wire; }
    }

    /** A topic, queue, stream or bus, with the Lambdas that consume it. */
    private record Channel(int index, Sys sys, String name, List<String> consumers, int minFanOut, int maxFanOut,
                           int maxBatch, long minDelayUs, long maxDelayUs, String operation) {}

    private static final Channel ORDERS = new Channel(0, Sys.SNS, "orders",
            List.of("payments", "inventory", "fraud-check", "notifier"), 2, 3, 1, 30 * MS_US, 300 * MS_US, "SNS.Publish");
    private static final List<Channel> DOWNSTREAM = List.of(
            new Channel(1, Sys.KINESIS, "payments", List.of("ledger"), 1, 1, 5, 500 * MS_US, 2000 * MS_US, "Kinesis.PutRecords"),
            new Channel(2, Sys.KINESIS, "clickstream", List.of("analytics"), 1, 1, 8, 500 * MS_US, 2000 * MS_US, "Kinesis.PutRecords"),
            new Channel(3, Sys.SQS, "shipping", List.of("shipping-worker"), 1, 1, 3, 20 * MS_US, 600 * MS_US, "SQS.SendMessage"),
            new Channel(4, Sys.SQS, "refunds", List.of("refunds-worker"), 1, 1, 3, 20 * MS_US, 600 * MS_US, "SQS.SendMessage"),
            new Channel(5, Sys.EVENTBRIDGE, "shop", List.of("audit", "billing", "search-indexer"), 1, 2, 1, 100 * MS_US, 500 * MS_US, "EventBridge.PutEvents"),
            new Channel(6, Sys.SNS, "notifications", List.of("email-sender", "push-sender"), 2, 2, 1, 30 * MS_US, 300 * MS_US, "SNS.Publish"));
    private static final int CHANNELS = DOWNSTREAM.size() + 1;
    private static final String ENTRY_FUNCTION = "orders-api";
    private static final String[] CLIENT_OPS = {"DynamoDB.Query", "DynamoDB.PutItem", "DynamoDB.GetItem", "S3.GetObject", "HTTP GET", "SecretsManager.GetSecretValue"};
    private static final String[] APP_MESSAGES = {"processing order", "fetched items", "cache miss for sku", "validated payload", "retrying downstream call"};
    private static final int[] MEMORY_SIZES = {256, 512, 1024};

    /** Every account has the same resources; destinations are precomputed per account. */
    private static final class Tenant {
        final int index;
        final String account;
        final String[] producerArn = new String[CHANNELS];
        final String[] queueUrl = new String[CHANNELS];
        final long[] kinesisCounter = new long[CHANNELS];
        final List<ArrayDeque<Delivery>> buffers = new ArrayList<>(CHANNELS);
        final boolean[] pollScheduled = new boolean[CHANNELS];
        final Map<String, List<Environment>> environments = new HashMap<>();
        /** Recent Kinesis record ids of this account, for reuse on another stream. */
        final Deque<Pooled> kinesisIds = new ArrayDeque<>();
        int requestsStarted;

        Tenant(int index, String account, SplittableRandom rnd) {
            this.index = index;
            this.account = account;
            for (Channel c : allChannels()) {
                producerArn[c.index] = switch (c.sys) {
                    case SNS -> "arn:aws:sns:us-east-1:" + account + ":" + c.name;
                    case SQS -> "arn:aws:sqs:us-east-1:" + account + ":" + c.name;
                    case KINESIS -> "arn:aws:kinesis:us-east-1:" + account + ":stream/" + c.name;
                    case EVENTBRIDGE -> "arn:aws:events:us-east-1:" + account + ":event-bus/" + c.name;
                };
                queueUrl[c.index] = "https://sqs.us-east-1.amazonaws.com/" + account + "/" + c.name;
                kinesisCounter[c.index] = rnd.nextLong(1_000_000_000_000L);
                buffers.add(new ArrayDeque<>());
            }
        }
    }

    private static List<Channel> allChannels() {
        List<Channel> all = new ArrayList<>(DOWNSTREAM);
        all.add(0, ORDERS);
        return all;
    }

    private static int memorySize(String function) {
        return MEMORY_SIZES[Math.floorMod(function.hashCode(), MEMORY_SIZES.length)];
    }

    private enum Start { WARM, COLD, RESTORE }

    private record Environment(String id, String logStream) {}

    /** A message on its way from a producer span to its consumers. */
    private record Delivery(Channel channel, String id, int depth, boolean spine, String producerTrace,
                            String producerSpan, boolean traced) {}

    private record Pooled(int owner, String id) {}

    private record Ref(String system, String operation, String destination, String id) {}

    private record Link(String traceId, String spanId) {}

    private record Span(String tenant, String traceId, String spanId, String parentSpanId, String service,
                        String name, String kind, long startUs, long endUs, boolean error, String requestId,
                        List<Ref> messages, List<Link> links, boolean producerFieldOrder) {
        Span withMessages(List<Ref> m) {
            return new Span(tenant, traceId, spanId, parentSpanId, service, name, kind, startUs, endUs, error,
                    requestId, m, links, producerFieldOrder);
        }
    }

    private record LogEvent(long timeUs, String requestId, String message) {}

    /** CloudWatch Logs batches one log stream's events into one subscription envelope. */
    private static final class Envelope {
        final String tenant;
        final String function;
        final Environment environment;
        final int target;
        final List<LogEvent> events = new ArrayList<>();
        long firstUs;

        Envelope(String tenant, String function, Environment environment, int target) {
            this.tenant = tenant;
            this.function = function;
            this.environment = environment;
            this.target = target;
        }
    }

    private record Event(long timeUs, long seq, Runnable action) implements Comparable<Event> {
        @Override public int compareTo(Event o) {
            int c = Long.compare(timeUs, o.timeUs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    // ---------------------------------------------------------------- output order

    private record Pending(long keyUs, long seq, String line) implements Comparable<Pending> {
        @Override public int compareTo(Pending o) {
            int c = Long.compare(keyUs, o.keyUs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /**
     * Puts lines into file order. It draws from its own random stream, so the order never changes
     * the lines themselves. SORTED and LATE keep a window: a line whose delivery key lies before the
     * simulation clock can no longer be overtaken, because every later line is created at or after it.
     */
    private static final class Sink {
        private final Order order;
        private final Consumer<String> out;
        private final SplittableRandom rnd;
        private final long seed;
        private final PriorityQueue<Pending> window = new PriorityQueue<>();
        private final List<String> all = new ArrayList<>();
        private long seq;
        private long clockUs;

        Sink(Options options, Consumer<String> out) {
            this.order = options.order();
            this.out = out;
            this.seed = options.seed() ^ 0x9E3779B97F4A7C15L;
            this.rnd = new SplittableRandom(seed);
        }

        void advance(long nowUs) {
            clockUs = nowUs;
            while (!window.isEmpty() && window.peek().keyUs < nowUs) out.accept(window.poll().line);
        }

        /** eventUs: when the line came into being; jitter and lateness model the delivery pipeline. */
        void add(long eventUs, long maxJitterUs, boolean span, String line) {
            if (order == Order.SHUFFLED) {
                all.add(line);
                return;
            }
            long key = Math.max(eventUs, clockUs) + rnd.nextLong(maxJitterUs + 1);
            if (order == Order.LATE && span && rnd.nextDouble() < LATE_SPAN_RATE) {
                key += 30 * SECOND_US + rnd.nextLong(90 * SECOND_US);
            }
            window.add(new Pending(key, seq++, line));
        }

        void finish() {
            if (order == Order.SHUFFLED) {
                Collections.shuffle(all, new Random(seed));
                all.forEach(out);
                all.clear();
            } else {
                while (!window.isEmpty()) out.accept(window.poll().line);
            }
        }
    }

    // ---------------------------------------------------------------- the world

    private static final class World {
        private final Options o;
        private final SplittableRandom rnd;
        private final Sink sink;
        private final List<Tenant> tenants = new ArrayList<>();
        private final PriorityQueue<Event> agenda = new PriorityQueue<>();
        private final Map<String, Envelope> envelopes = new LinkedHashMap<>();
        /** Recent SNS/SQS/EventBridge ids per system, for reuse in another account. */
        private final Map<Sys, Deque<Pooled>> messageIds = new HashMap<>();
        private final Render render = new Render();
        private long eventSeq;
        private long nowUs;
        private boolean sweepScheduled;

        World(Options o, Consumer<String> out) {
            this.o = o;
            this.rnd = new SplittableRandom(o.seed());
            this.sink = new Sink(o, out);
            for (String account : o.tenants()) tenants.add(new Tenant(tenants.size(), account, rnd));
            for (Sys s : Sys.values()) messageIds.put(s, new ArrayDeque<>());
        }

        void run() {
            long startUs = EPOCH_MS * MS_US;
            for (Tenant t : tenants) {
                if (o.requestsPerTenant() > 0) at(startUs + rnd.nextLong(MEAN_INTER_ARRIVAL_US), () -> request(t));
            }
            while (!agenda.isEmpty()) {
                Event e = agenda.poll();
                nowUs = e.timeUs;
                sink.advance(nowUs);
                e.action.run();
            }
            for (Envelope env : envelopes.values()) emitEnvelope(env);
            envelopes.clear();
            sink.finish();
        }

        private void at(long timeUs, Runnable action) {
            agenda.add(new Event(timeUs, eventSeq++, action));
        }

        private void request(Tenant t) {
            boolean spine = t.requestsStarted == 0 || rnd.nextDouble() < SPINE_RATE;
            t.requestsStarted++;
            if (t.requestsStarted < o.requestsPerTenant()) {
                long gap = (long) (-Math.log(1 - rnd.nextDouble()) * MEAN_INTER_ARRIVAL_US);
                at(nowUs + gap + 1, () -> request(t));
            }
            invoke(t, ENTRY_FUNCTION, null, List.of(), 1, spine);
        }

        // ------------------------------------------------------------ invocations

        /** One Lambda invocation: its root span, client and producer children, and its log lines. */
        private void invoke(Tenant t, String function, Channel trigger, List<Delivery> received, int depth, boolean spine) {
            String requestId = uuid();
            String traceId = hex32();
            String rootSpan = hex16();
            long startUs = nowUs;
            List<Environment> pool = t.environments.computeIfAbsent(function, f -> new ArrayList<>());
            double r = rnd.nextDouble();
            Start start = Start.WARM;
            Environment env;
            if (pool.isEmpty() || r < COLD_START_RATE + o.snapStartRate()) {
                start = r < o.snapStartRate() ? Start.RESTORE : Start.COLD;
                String id = hex32();
                env = new Environment(id, LOG_STREAM_DAY.format(Instant.ofEpochMilli(startUs / MS_US)) + "/[$LATEST]" + id);
                pool.add(env);
                if (pool.size() > MAX_ENVIRONMENTS) pool.remove(0);
            } else {
                env = pool.get(rnd.nextInt(pool.size()));
            }
            boolean timeout = rnd.nextDouble() < o.timeoutRate();
            boolean error = !timeout && rnd.nextDouble() < ERROR_RATE;

            long cursor = startUs + between(100, 1500);
            int clients = 1 + rnd.nextInt(3);
            for (int i = 0; i < clients; i++) {
                long end = cursor + between(3 * MS_US, 40 * MS_US);
                emitSpan(new Span(t.account, traceId, hex16(), rootSpan, function, CLIENT_OPS[rnd.nextInt(CLIENT_OPS.length)],
                        "client", cursor, end, false, null, List.of(), List.of(), false));
                cursor = end + between(100, 2 * MS_US);
            }
            if (depth < o.maxDepth()) {
                List<Channel> outs = new ArrayList<>(2);
                if (trigger == null) {
                    outs.add(ORDERS);
                } else {
                    if (spine || rnd.nextDouble() < CONTINUE_RATE) outs.add(pick(DOWNSTREAM));
                    if (rnd.nextDouble() < BRANCH_RATE) outs.add(pick(DOWNSTREAM));
                }
                for (int i = 0; i < outs.size(); i++) {
                    cursor = publish(t, function, traceId, rootSpan, outs.get(i), cursor, depth, spine && i == 0);
                }
            }
            long durationUs = timeout ? TIMEOUT_US : cursor + between(MS_US, 20 * MS_US) - startUs;
            long endUs = startUs + durationUs;

            List<Ref> refs = new ArrayList<>(received.size());
            List<Link> links = List.of();
            if (trigger != null) {
                String destination = consumerDestination(t, trigger, function);
                boolean linked = trigger.sys == Sys.SQS && rnd.nextDouble() < o.linkRate();
                if (linked) links = new ArrayList<>();
                for (Delivery d : received) {
                    boolean linkInstead = false;
                    if (linked && d.traced) {
                        links.add(new Link(d.producerTrace, d.producerSpan));
                        linkInstead = rnd.nextBoolean();
                    }
                    if (!linkInstead) refs.add(new Ref(trigger.sys.wire, "receive", destination, d.id));
                }
                if (linked && rnd.nextDouble() < NEVER_EMITTED_LINK_RATE) links.add(new Link(hex32(), hex16()));
            }
            emitSpan(new Span(t.account, traceId, rootSpan, null, function, function + " invoke",
                    trigger == null ? "server" : "consumer", startUs, endUs, timeout || error, requestId, refs, links, false));
            emitLogs(t, function, env, requestId, start, startUs, durationUs, timeout, error);
        }

        /** Emits one producer span (unless untraced) and hands its messages to the channel. Returns its end. */
        private long publish(Tenant t, String function, String traceId, String parentSpan, Channel c, long startUs,
                             int depth, boolean spine) {
            int records = switch (c.sys) {
                case KINESIS -> 1 + rnd.nextInt(3);
                case SQS -> rnd.nextDouble() < 0.1 ? 2 : 1;
                default -> 1;
            };
            String operation = c.sys == Sys.SQS && records > 1 ? "SQS.SendMessageBatch" : c.operation;
            String spanId = hex16();
            long endUs = startUs + between(5 * MS_US, 50 * MS_US);
            boolean traced = rnd.nextDouble() >= o.untracedProducerRate();
            String destination = c.sys == Sys.SQS && rnd.nextDouble() < 0.3 ? t.queueUrl[c.index] : t.producerArn[c.index];
            List<Ref> refs = new ArrayList<>(records);
            for (int i = 0; i < records; i++) {
                String id = messageId(t, c);
                refs.add(new Ref(c.sys.wire, "publish", destination, id));
                deliver(t, c, new Delivery(c, id, depth, spine && i == 0, traceId, spanId, traced), endUs);
            }
            if (traced) {
                emitSpan(new Span(t.account, traceId, spanId, parentSpan, function, operation, "producer", startUs, endUs,
                        false, null, refs, List.of(), rnd.nextDouble() < 0.5));
            }
            return endUs + between(100, 2 * MS_US);
        }

        private void deliver(Tenant t, Channel c, Delivery d, long sentUs) {
            if (c.maxBatch == 1) {
                List<String> targets = new ArrayList<>(c.consumers);
                Collections.shuffle(targets, new Random(rnd.nextLong()));
                int fanOut = c.minFanOut + rnd.nextInt(c.maxFanOut - c.minFanOut + 1);
                for (int i = 0; i < fanOut; i++) {
                    Delivery copy = i == 0 ? d : new Delivery(c, d.id, d.depth, false, d.producerTrace, d.producerSpan, d.traced);
                    String fn = targets.get(i);
                    at(sentUs + between(c.minDelayUs, c.maxDelayUs), () -> invoke(t, fn, c, List.of(copy), copy.depth + 1, copy.spine));
                }
                return;
            }
            t.buffers.get(c.index).add(d);
            if (!t.pollScheduled[c.index]) {
                t.pollScheduled[c.index] = true;
                at(sentUs + between(c.minDelayUs, c.maxDelayUs), () -> poll(t, c));
            }
        }

        /** A batch consumer takes whatever has accumulated: records of different requests meet here (fan-in). */
        private void poll(Tenant t, Channel c) {
            ArrayDeque<Delivery> buffer = t.buffers.get(c.index);
            List<Delivery> batch = new ArrayList<>(c.maxBatch);
            int depth = 0;
            boolean spine = false;
            while (!buffer.isEmpty() && batch.size() < c.maxBatch) {
                Delivery d = buffer.poll();
                batch.add(d);
                depth = Math.max(depth, d.depth);
                spine |= d.spine;
            }
            if (buffer.isEmpty()) {
                t.pollScheduled[c.index] = false;
            } else {
                at(nowUs + between(50 * MS_US, 300 * MS_US), () -> poll(t, c));
            }
            invoke(t, c.consumers.get(0), c, batch, depth + 1, spine);
        }

        /** Consumers name destinations as the Lambda event does; producers (see publish) use ARNs. */
        private String consumerDestination(Tenant t, Channel c, String function) {
            double r = rnd.nextDouble();
            return switch (c.sys) {
                case SQS -> r < 0.5 ? t.producerArn[c.index] : r < 0.8 ? t.queueUrl[c.index] : c.name;
                case KINESIS -> r < 0.55 ? t.producerArn[c.index] : r < 0.8 ? c.name
                        : t.producerArn[c.index] + "/consumer/" + function + ":1732400000";
                default -> t.producerArn[c.index];
            };
        }

        private String messageId(Tenant t, Channel c) {
            boolean collide = rnd.nextDouble() < o.collidingIdRate();
            if (c.sys == Sys.KINESIS) {
                // Sequence numbers are unique per stream only; reusing one on another stream is legal.
                if (collide) {
                    String reused = takeFromPool(t.kinesisIds, c.index);
                    if (reused != null) return reused;
                }
                t.kinesisCounter[c.index] += 1 + rnd.nextLong(1_000_000);
                // The two digits after the prefix are the stream's, so streams never repeat a number by accident.
                String id = "shardId-00000000000" + rnd.nextInt(4) + ":" + KINESIS_SEQ_PREFIX
                        + (10 + c.index) + pad13(t.kinesisCounter[c.index]);
                remember(t.kinesisIds, new Pooled(c.index, id));
                return id;
            }
            Deque<Pooled> pool = messageIds.get(c.sys);
            if (collide) {
                String reused = takeFromPool(pool, t.index);
                if (reused != null) return reused;
            }
            String id = uuid();
            remember(pool, new Pooled(t.index, id));
            return id;
        }

        /** Takes (once) a pooled id whose owner differs from {@code owner}. */
        private static String takeFromPool(Deque<Pooled> pool, int owner) {
            for (Iterator<Pooled> it = pool.iterator(); it.hasNext(); ) {
                Pooled p = it.next();
                if (p.owner != owner) {
                    it.remove();
                    return p.id;
                }
            }
            return null;
        }

        private static void remember(Deque<Pooled> pool, Pooled p) {
            pool.addLast(p);
            if (pool.size() > COLLISION_POOL_SIZE) pool.removeFirst();
        }

        // ------------------------------------------------------------ spans

        private void emitSpan(Span s) {
            if (rnd.nextDouble() < o.duplicateRate()) {
                Span first = s;
                Span second = s;
                // At-least-once delivery; sometimes one copy lacks a message entry, so only their union is complete.
                if (!s.messages.isEmpty() && rnd.nextDouble() < 0.4) {
                    List<Ref> fewer = new ArrayList<>(s.messages);
                    fewer.remove(rnd.nextInt(fewer.size()));
                    if (rnd.nextBoolean()) first = s.withMessages(fewer);
                    else second = s.withMessages(fewer);
                }
                emit(first.endUs, 500 * MS_US, true, render.span(first));
                emit(first.endUs + between(MS_US, 10 * SECOND_US), 500 * MS_US, true, render.span(second));
            } else {
                emit(s.endUs, 500 * MS_US, true, render.span(s));
            }
        }

        private void emit(long eventUs, long jitterUs, boolean span, String line) {
            sink.add(eventUs, jitterUs, span, line);
            if (o.garbageRate() > 0 && rnd.nextDouble() < o.garbageRate() / (1 - o.garbageRate())) {
                sink.add(nowUs, jitterUs, false, garbage(tenants.get(rnd.nextInt(tenants.size())).account));
            }
        }

        private String garbage(String tenant) {
            return switch (rnd.nextInt(13)) {
                case 0 -> "not json at all";
                case 1 -> "\u0000\u0001";
                case 2 -> "[]";
                case 3 -> "42";
                case 4 -> "[{\"type\":\"span\"}]";
                case 5 -> "{\"type\":\"mystery\"}";
                case 6 -> "{\"type\":\"span\",\"traceId\":null,\"spanId\":\"" + hex16() + "\"}";
                case 7 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"spanId\":\"" + hex16()
                        + "\",\"service\":\"payments\",\"name\":\"payments invoke\",\"kind\":\"server\",\"startMs\":1,\"endMs\":2}";
                case 8 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"traceId\":\"" + hex32() + "\",\"spanId\":\""
                        + hex16() + "\",\"startMs\":\"yesterday\",\"endMs\":5}";
                case 9 -> render.span(new Span(tenant, "f".repeat(300), hex16(), null, "payments", "payments invoke",
                        "server", nowUs, nowUs + MS_US, false, uuid(), List.of(), List.of(), false));
                case 10 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"traceId\":\"" + hex32() + "\",\"spanId\":\""
                        + hex16() + "\",\"service\":\"s\",\"name\":\"n\",\"kind\":\"server\",\"startMs\":1,\"endMs\":2,\"messages\":\"sns\"}";
                case 11 -> "{\"type\":\"span\",\"tenant\":\"" + tenant + "\",\"traceId\":";
                default -> rnd.nextBoolean()
                        ? "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"" + tenant + "\",\"logGroup\":\"/aws/lambda/payments\",\"logEvents\":\"none\"}"
                        : "{\"type\":\"log\",\"tenant\":\"" + tenant + "\",\"message\":12}";
            };
        }

        // ------------------------------------------------------------ logs

        private void emitLogs(Tenant t, String function, Environment env, String requestId, Start start, long startUs,
                              long durationUs, boolean timeout, boolean error) {
            boolean json = rnd.nextDouble() < o.jsonLogRate();
            long endUs = startUs + durationUs;
            long initUs = start == Start.COLD ? between(150 * MS_US, 900 * MS_US) : 0;
            long restoreUs = start == Start.RESTORE ? between(50 * MS_US, 400 * MS_US) : 0;
            int maxMemory = 60 + rnd.nextInt(Math.min(240, memorySize(function) - 60));
            List<LogEvent> events = new ArrayList<>(8);

            if (start == Start.COLD) events.add(new LogEvent(startUs - initUs, null, json
                    ? render.initStart(startUs - initUs, function, "platform.initStart", "on-demand", "init", "nodejs:20.v33")
                    : "INIT_START Runtime Version: nodejs:20.v33\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:" + hex32() + hex32()));
            if (start == Start.RESTORE) events.add(new LogEvent(startUs - restoreUs, null, json
                    ? render.initStart(startUs - restoreUs, function, "platform.restoreStart", "snap-start", "restore", "java:17.v30")
                    : "RESTORE_START Runtime Version: java:17.v30\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:" + hex32() + hex32()));
            events.add(new LogEvent(startUs, requestId, json
                    ? render.platformStart(startUs, requestId)
                    : "START RequestId: " + requestId + " Version: $LATEST"));
            int appLines = rnd.nextInt(7);
            for (int i = 0; i < appLines; i++) {
                long at = startUs + between(0, Math.max(1, durationUs - 1));
                String msg = APP_MESSAGES[rnd.nextInt(APP_MESSAGES.length)] + " " + rnd.nextInt(100_000);
                events.add(new LogEvent(at, requestId, render.appLine(json, at, requestId, "INFO", msg)));
            }
            if (error) events.add(new LogEvent(endUs - 100, requestId,
                    render.appLine(json, endUs - 100, requestId, "ERROR", "Invoke Error: payment declined")));

            String status = timeout ? "timeout" : error ? "error" : "success";
            long reportUs = endUs + between(200, 1500);
            if (json) {
                events.add(new LogEvent(endUs, requestId, render.runtimeDone(endUs, requestId, status, durationUs)));
                events.add(new LogEvent(reportUs, requestId, render.platformReport(reportUs, requestId, status,
                        durationUs, memorySize(function), maxMemory, initUs, restoreUs)));
            } else {
                // Older runtimes log "Task timed out" instead of "Status: timeout"; it may trail the REPORT.
                boolean taskLine = timeout && rnd.nextBoolean();
                boolean taskLineLast = taskLine && rnd.nextDouble() < 0.3;
                String taskMessage = render.taskTimedOut(endUs, requestId);
                if (taskLine && !taskLineLast) events.add(new LogEvent(endUs, requestId, taskMessage));
                events.add(new LogEvent(endUs, requestId, "END RequestId: " + requestId));
                double r = rnd.nextDouble();
                String sep = r < 0.04 ? " \t" : r < 0.07 ? " " : "\t";
                String report = render.textReport(requestId, sep, durationUs, memorySize(function), maxMemory, initUs,
                        restoreUs, taskLine ? "success" : status);
                if (rnd.nextDouble() < 0.05) {
                    report += "\nXRAY TraceId: 1-" + hex32().substring(0, 8) + "-" + hex32().substring(0, 24)
                            + "\tSegmentId: " + hex16() + "\tSampled: true\t";
                }
                events.add(new LogEvent(reportUs, requestId, report));
                if (taskLineLast) events.add(new LogEvent(reportUs + between(MS_US, 50 * MS_US), requestId, taskMessage));
            }

            if (rnd.nextDouble() < o.envelopeRate()) {
                String key = t.account + "|" + function + "|" + env.id;
                Envelope envelope = envelopes.get(key);
                if (envelope == null) {
                    envelope = new Envelope(t.account, function, env, 1 + rnd.nextInt(8));
                    envelope.firstUs = nowUs;
                    envelopes.put(key, envelope);
                }
                envelope.events.addAll(events);
                if (envelope.events.size() >= envelope.target) {
                    envelopes.remove(key);
                    emitEnvelope(envelope);
                } else if (!sweepScheduled) {
                    sweepScheduled = true;
                    at(nowUs + SECOND_US, this::sweep);
                }
            } else {
                for (LogEvent e : events) {
                    emit(e.timeUs, 200 * MS_US, false, render.nativeLog(t.account, function, e));
                }
            }
        }

        /** CloudWatch ships a log stream's events within seconds, so stale envelopes are flushed by age. */
        private void sweep() {
            sweepScheduled = false;
            for (Iterator<Envelope> it = envelopes.values().iterator(); it.hasNext(); ) {
                Envelope e = it.next();
                if (nowUs - e.firstUs >= ENVELOPE_MAX_AGE_US) {
                    it.remove();
                    emitEnvelope(e);
                }
            }
            if (!envelopes.isEmpty()) {
                sweepScheduled = true;
                at(nowUs + SECOND_US, this::sweep);
            }
        }

        private void emitEnvelope(Envelope e) {
            long lastUs = e.events.stream().mapToLong(LogEvent::timeUs).max().orElse(nowUs);
            String[] ids = new String[e.events.size()];
            for (int i = 0; i < ids.length; i++) ids[i] = LOG_EVENT_ID_PREFIX + digits28();
            emit(lastUs, 1500 * MS_US, false, render.envelope(e, ids));
            if (rnd.nextDouble() < CONTROL_MESSAGE_RATE) {
                emit(lastUs, 1500 * MS_US, false, Render.controlMessage(lastUs / MS_US));
            }
        }

        // ------------------------------------------------------------ random helpers

        private long between(long lo, long hi) {
            return lo + rnd.nextLong(hi - lo + 1);
        }

        private <T> T pick(List<T> list) {
            return list.get(rnd.nextInt(list.size()));
        }

        private String hex16() {
            char[] c = new char[16];
            Render.hex(rnd.nextLong(), c, 0, 16);
            return new String(c);
        }

        private String hex32() {
            char[] c = new char[32];
            Render.hex(rnd.nextLong(), c, 0, 16);
            Render.hex(rnd.nextLong(), c, 16, 16);
            return new String(c);
        }

        private String uuid() {
            char[] c = new char[36];
            long hi = rnd.nextLong();
            long lo = rnd.nextLong();
            Render.hex(hi >>> 32, c, 0, 8);
            c[8] = '-';
            Render.hex(hi >>> 16, c, 9, 4);
            c[13] = '-';
            Render.hex(hi, c, 14, 4);
            c[18] = '-';
            Render.hex(lo >>> 48, c, 19, 4);
            c[23] = '-';
            Render.hex(lo, c, 24, 12);
            return new String(c);
        }

        private String digits28() {
            StringBuilder sb = new StringBuilder(28);
            pad(sb, rnd.nextLong(100_000_000_000_000L), 14);
            pad(sb, rnd.nextLong(100_000_000_000_000L), 14);
            return sb.toString();
        }

        private static String pad13(long v) {
            return pad(new StringBuilder(13), v, 13).toString();
        }

        private static StringBuilder pad(StringBuilder sb, long v, int width) {
            String s = Long.toString(v);
            for (int i = s.length(); i < width; i++) sb.append('0');
            return sb.append(s);
        }
    }

    /**
     * Hand-written JSON rendering into one reused buffer: several times faster than a generic writer,
     * and every field is known. One instance per world, so it is never shared between threads.
     */
    private static final class Render {
        private static final char[] HEX = "0123456789abcdef".toCharArray();

        private enum Field {
            TYPE("type"), TENANT("tenant"), TRACE_ID("traceId"), SPAN_ID("spanId"), PARENT_SPAN_ID("parentSpanId"),
            SERVICE("service"), NAME("name"), KIND("kind"), START_MS("startMs"), END_MS("endMs"), STATUS("status"),
            REQUEST_ID("requestId"), MESSAGES("messages"), LINKS("links"), ATTRIBUTES("attributes");
            final String key;
            Field(String name) { this.key = '"' + name + "\":"; }
        }

        private static final Field[] SPAN_FIELDS = Field.values();
        /** Some exporters write producer spans with another key order; parsers must not care. */
        private static final Field[] PRODUCER_FIELDS = {Field.SPAN_ID, Field.NAME, Field.KIND, Field.START_MS,
                Field.END_MS, Field.STATUS, Field.MESSAGES, Field.LINKS, Field.ATTRIBUTES, Field.TYPE, Field.TENANT,
                Field.TRACE_ID, Field.PARENT_SPAN_ID, Field.SERVICE, Field.REQUEST_ID};

        private final StringBuilder buf = new StringBuilder(1 << 14);
        /** The ISO seconds part is cached because consecutive lines share it. */
        private long second = Long.MIN_VALUE;
        private String prefix;

        private StringBuilder start() {
            buf.setLength(0);
            return buf;
        }

        String taskTimedOut(long us, String requestId) {
            return iso(start(), us).append(' ').append(requestId).append(" Task timed out after 3.00 seconds").toString();
        }

        StringBuilder iso(StringBuilder sb, long us) {
            long ms = Math.floorDiv(us, MS_US);
            long sec = Math.floorDiv(ms, 1000);
            if (sec != second) {
                second = sec;
                prefix = ISO_SECONDS.format(Instant.ofEpochSecond(sec));
            }
            int frac = (int) Math.floorMod(ms, 1000);
            sb.append(prefix).append('.');
            if (frac < 100) sb.append('0');
            if (frac < 10) sb.append('0');
            return sb.append(frac).append('Z');
        }

        /** Writes the low {@code digits} hex digits of v into c at off. */
        static void hex(long v, char[] c, int off, int digits) {
            for (int i = off + digits - 1; i >= off; i--, v >>>= 4) c[i] = HEX[(int) v & 0xF];
        }

        String span(Span s) {
            StringBuilder sb = start().append('{');
            boolean first = true;
            for (Field field : s.producerFieldOrder ? PRODUCER_FIELDS : SPAN_FIELDS) {
                if (field == Field.REQUEST_ID && s.requestId == null) continue;
                if (!first) sb.append(',');
                first = false;
                sb.append(field.key);
                // Every value below is generated here and needs no escaping.
                switch (field) {
                    case TYPE -> sb.append("\"span\"");
                    case TENANT -> quote(sb, s.tenant);
                    case TRACE_ID -> quote(sb, s.traceId);
                    case SPAN_ID -> quote(sb, s.spanId);
                    case PARENT_SPAN_ID -> {
                        if (s.parentSpanId == null) sb.append("null");
                        else quote(sb, s.parentSpanId);
                    }
                    case SERVICE -> quote(sb, s.service);
                    case NAME -> quote(sb, s.name);
                    case KIND -> quote(sb, s.kind);
                    case START_MS -> millis(sb, s.startUs);
                    case END_MS -> millis(sb, s.endUs);
                    case STATUS -> sb.append(s.error ? "\"error\"" : "\"ok\"");
                    case REQUEST_ID -> quote(sb, s.requestId);
                    case MESSAGES -> {
                        sb.append('[');
                        for (int i = 0; i < s.messages.size(); i++) {
                            Ref r = s.messages.get(i);
                            if (i > 0) sb.append(',');
                            quote(sb.append("{\"system\":"), r.system);
                            quote(sb.append(",\"operation\":"), r.operation);
                            quote(sb.append(",\"destination\":"), r.destination);
                            quote(sb.append(",\"id\":"), r.id).append('}');
                        }
                        sb.append(']');
                    }
                    case LINKS -> {
                        sb.append('[');
                        for (int i = 0; i < s.links.size(); i++) {
                            if (i > 0) sb.append(',');
                            quote(sb.append("{\"traceId\":"), s.links.get(i).traceId);
                            quote(sb.append(",\"spanId\":"), s.links.get(i).spanId).append('}');
                        }
                        sb.append(']');
                    }
                    case ATTRIBUTES -> sb.append("{}");
                }
            }
            return sb.append('}').toString();
        }

        String nativeLog(String tenant, String function, LogEvent e) {
            StringBuilder sb = start();
            quote(sb.append("{\"type\":\"log\",\"tenant\":"), tenant);
            quote(sb.append(",\"function\":"), function);
            if (e.requestId != null) quote(sb.append(",\"requestId\":"), e.requestId);
            sb.append(",\"timestampMs\":");
            millis(sb, e.timeUs);
            sb.append(",\"message\":");
            str(sb, e.message);
            return sb.append('}').toString();
        }

        String envelope(Envelope e, String[] ids) {
            StringBuilder sb = start();
            quote(sb.append("{\"messageType\":\"DATA_MESSAGE\",\"owner\":"), e.tenant);
            sb.append(",\"logGroup\":\"/aws/lambda/").append(e.function).append('"');
            quote(sb.append(",\"logStream\":"), e.environment.logStream);
            sb.append(",\"subscriptionFilters\":[\"tracestitch\"],\"logEvents\":[");
            for (int i = 0; i < ids.length; i++) {
                LogEvent ev = e.events.get(i);
                if (i > 0) sb.append(',');
                sb.append("{\"id\":\"").append(ids[i]).append("\",\"timestamp\":").append(Math.floorDiv(ev.timeUs, MS_US));
                sb.append(",\"message\":");
                escape(sb.append('"'), ev.message).append("\\n\"");
                sb.append('}');
            }
            return sb.append("]}").toString();
        }

        static String controlMessage(long timestampMs) {
            return "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\",\"logStream\":\"\","
                    + "\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":" + timestampMs
                    + ",\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.\"}]}";
        }

        String textReport(String requestId, String sep, long durationUs, int memory, int maxMemory,
                                 long initUs, long restoreUs, String status) {
            StringBuilder sb = start().append("REPORT RequestId: ").append(requestId)
                    .append(sep.equals(" ") ? " " : "\t").append("Duration: ");
            fixed2(sb, durationUs).append(" ms").append(sep)
                    .append("Billed Duration: ").append(ceilMs(durationUs)).append(" ms").append(sep)
                    .append("Memory Size: ").append(memory).append(" MB").append(sep)
                    .append("Max Memory Used: ").append(maxMemory).append(" MB").append(sep);
            if (initUs > 0) {
                fixed2(sb.append("Init Duration: "), initUs).append(" ms").append(sep);
            }
            if (restoreUs > 0) {
                fixed2(sb.append("Restore Duration: "), restoreUs).append(" ms").append(sep)
                        .append("Billed Restore Duration: ").append(ceilMs(restoreUs)).append(" ms").append(sep);
            }
            if (status.equals("timeout")) sb.append("Status: timeout");
            if (status.equals("error")) sb.append("Status: error").append(sep).append("Error Type: Runtime.ExitError");
            return sb.toString();
        }

        String initStart(long us, String function, String type, String initType, String phase,
                                String runtime) {
            StringBuilder sb = start().append("{\"time\":\"");
            iso(sb, us).append("\",\"type\":\"").append(type)
                    .append("\",\"record\":{\"initializationType\":\"").append(initType)
                    .append("\",\"phase\":\"").append(phase).append("\",\"runtimeVersion\":\"")
                    .append(runtime).append("\",\"functionName\":\"").append(function)
                    .append("\",\"functionVersion\":\"$LATEST\"}}");
            return sb.toString();
        }

        String platformStart(long us, String requestId) {
            StringBuilder sb = start().append("{\"time\":\"");
            iso(sb, us).append("\",\"type\":\"platform.start\",\"record\":{\"requestId\":\"").append(requestId)
                    .append("\",\"version\":\"$LATEST\"}}");
            return sb.toString();
        }

        String runtimeDone(long us, String requestId, String status, long durationUs) {
            StringBuilder sb = start().append("{\"time\":\"");
            iso(sb, us).append("\",\"type\":\"platform.runtimeDone\",\"record\":{\"requestId\":\"").append(requestId)
                    .append("\",\"status\":\"").append(status).append('"');
            if (status.equals("error")) sb.append(",\"errorType\":\"Runtime.ExitError\"");
            fixed2(sb.append(",\"metrics\":{\"durationMs\":"), durationUs).append(",\"producedBytes\":0}}}");
            return sb.toString();
        }

        String platformReport(long us, String requestId, String status, long durationUs, int memory,
                                     int maxMemory, long initUs, long restoreUs) {
            StringBuilder sb = start().append("{\"time\":\"");
            iso(sb, us).append("\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"").append(requestId)
                    .append("\",\"metrics\":{\"durationMs\":");
            fixed2(sb, durationUs).append(",\"billedDurationMs\":").append(ceilMs(durationUs))
                    .append(",\"memorySizeMB\":").append(memory).append(",\"maxMemoryUsedMB\":").append(maxMemory);
            if (initUs > 0) fixed2(sb.append(",\"initDurationMs\":"), initUs);
            if (restoreUs > 0) fixed2(sb.append(",\"restoreDurationMs\":"), restoreUs);
            sb.append("},\"status\":\"").append(status).append('"');
            if (status.equals("error")) sb.append(",\"errorType\":\"Runtime.ExitError\"");
            return sb.append("}}").toString();
        }

        String appLine(boolean json, long us, String requestId, String level, String message) {
            StringBuilder sb = start();
            if (json) {
                sb.append("{\"timestamp\":\"");
                iso(sb, us).append("\",\"level\":\"").append(level).append("\",\"requestId\":\"").append(requestId)
                        .append("\",\"message\":");
                return str(sb, message).append('}').toString();
            }
            return iso(sb, us).append('\t').append(requestId).append('\t').append(level).append('\t')
                    .append(message).toString();
        }

        /** Quotes a value generated by the simulator, known to need no escaping. */
        static StringBuilder quote(StringBuilder sb, String s) {
            return sb.append('"').append(s).append('"');
        }

        static StringBuilder str(StringBuilder sb, String s) {
            return escape(sb.append('"'), s).append('"');
        }

        /** JSON string escaping; runs of plain characters are copied in bulk. */
        static StringBuilder escape(StringBuilder sb, String s) {
            int run = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 0x20 && c != '"' && c != '\\') continue;
                sb.append(s, run, i);
                run = i + 1;
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    case '\r' -> sb.append("\\r");
                    default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
                }
            }
            return sb.append(s, run, s.length());
        }

        /** Epoch milliseconds with up to three decimals, never in exponent notation. */
        static StringBuilder millis(StringBuilder sb, long us) {
            sb.append(Math.floorDiv(us, MS_US));
            int frac = (int) Math.floorMod(us, MS_US);
            if (frac == 0) return sb;
            char[] d = {(char) ('0' + frac / 100), (char) ('0' + frac / 10 % 10), (char) ('0' + frac % 10)};
            int n = 3;
            while (d[n - 1] == '0') n--;
            return sb.append('.').append(d, 0, n);
        }

        static StringBuilder fixed2(StringBuilder sb, long us) {
            long hundredths = us / 10;
            sb.append(hundredths / 100).append('.');
            long f = hundredths % 100;
            if (f < 10) sb.append('0');
            return sb.append(f);
        }

        static long ceilMs(long us) {
            return (us + MS_US - 1) / MS_US;
        }
    }
}
