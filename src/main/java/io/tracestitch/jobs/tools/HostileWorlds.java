package io.tracestitch.jobs.tools;

import io.tracestitch.model.Json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic span worlds that each load one cost of the job hard, for {@code bench --hostile}
 * (spans only, no logs; the same world and size always give the same bytes).
 *
 * <ul>
 *   <li>{@link World#HOT_KEY}: one SQS message id {@code hot}. Its receiving trace comes first, then
 *       {@code size} publishing traces of one span each, 40 s apart in event time, so with the default
 *       30 s gap each closes on its own and meets everything the key already holds.</li>
 *   <li>{@link World#DISTINCT_KEYS}: the linear reference for the hot key: {@code size} message ids,
 *       each with one publishing and one receiving trace, pairs 40 s apart.</li>
 *   <li>{@link World#HUGE_TRACE}: one trace of {@code size} spans, 1 ms apart (it never falls silent
 *       for a gap, so it closes once, at the end).</li>
 *   <li>{@link World#SPREAD_TRACES}: the same {@code size} spans at the same times, in contiguous runs
 *       over {@value #SPREAD_TRACE_COUNT} traces.</li>
 * </ul>
 */
public final class HostileWorlds {

    public enum World { HOT_KEY, DISTINCT_KEYS, HUGE_TRACE, SPREAD_TRACES }

    static final int SPREAD_TRACE_COUNT = 20_000;

    private static final String TENANT = "111111111111";
    private static final long START_MS = 1_732_400_000_000L;
    /** Longer than the default gap: every publishing trace closes before the next one starts. */
    private static final long TRACE_SPACING_MS = 40_000;
    private static final String QUEUE = "https://sqs.us-east-1.amazonaws.com/" + TENANT + "/hot-queue";
    private static final int SERVICES = 6;
    /** Children per span in a trace's tree: deep enough for call edges, shallow enough to stay realistic. */
    private static final int FAN_OUT = 8;

    private HostileWorlds() {}

    /** Writes one world as NDJSON and returns the number of lines. */
    public static long write(World world, int size, Path out) throws IOException {
        try (Writer writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8);
             JsonGenerator g = Json.FACTORY.createGenerator(writer)) {
            g.setRootValueSeparator(new SerializedString("\n"));
            Spans spans = new Spans(g, new SplittableRandom(world.ordinal()));
            switch (world) {
                case HOT_KEY -> {
                    spans.message(spans.traceId(), "consumer", START_MS, "receive", "hot");
                    for (int i = 1; i <= size; i++) {
                        spans.message(spans.traceId(), "producer", START_MS + i * TRACE_SPACING_MS, "publish", "hot");
                    }
                }
                case DISTINCT_KEYS -> {
                    for (int i = 0; i < size; i++) {
                        String id = "m-" + i;
                        long at = START_MS + i * TRACE_SPACING_MS;
                        spans.message(spans.traceId(), "producer", at, "publish", id);
                        spans.message(spans.traceId(), "consumer", at + 10, "receive", id);
                    }
                }
                case HUGE_TRACE -> spans.tree(size, 1);
                case SPREAD_TRACES -> spans.tree(size, Math.min(size, SPREAD_TRACE_COUNT));
            }
            g.writeRaw('\n');
            return spans.written;
        }
    }

    /** Writes span records; ids come from one seeded random source, so they look like real hex ids. */
    private static final class Spans {
        private final JsonGenerator g;
        private final SplittableRandom random;
        long written;

        Spans(JsonGenerator g, SplittableRandom random) {
            this.g = g;
            this.random = random;
        }

        String traceId() {
            return String.format(Locale.ROOT, "%016x%016x", random.nextLong(), random.nextLong());
        }

        private String spanId() {
            return String.format(Locale.ROOT, "%016x", random.nextLong());
        }

        /** A one-span trace that publishes or receives one SQS message. */
        void message(String traceId, String service, long endMs, String operation, String id) throws IOException {
            String kind = operation.equals("publish") ? "producer" : "consumer";
            write(traceId, spanId(), null, service, kind, endMs - 5, endMs, () -> {
                g.writeStartObject();
                g.writeStringField("system", "sqs");
                g.writeStringField("operation", operation);
                g.writeStringField("destination", QUEUE);
                g.writeStringField("id", id);
                g.writeEndObject();
            });
        }

        /**
         * {@code spans} spans 1 ms apart over {@code traces} traces in contiguous runs; within a trace
         * a tree of {@value #FAN_OUT} children per span, the service changing with depth.
         */
        void tree(int spans, int traces) throws IOException {
            String[] spanIds = new String[spans];
            String traceId = null;
            int first = 0;
            for (int i = 0; i < spans; i++) {
                int trace = (int) ((long) i * traces / spans);
                if (i == 0 || trace != (int) ((long) (i - 1) * traces / spans)) {
                    traceId = traceId();
                    first = i;
                }
                int inTrace = i - first;
                String parent = inTrace == 0 ? null : spanIds[first + (inTrace - 1) / FAN_OUT];
                spanIds[i] = spanId();
                long endMs = START_MS + i;
                String service = "service-" + depth(inTrace) % SERVICES;
                write(traceId, spanIds[i], parent, service, "internal", endMs - 0.5, endMs, null);
            }
        }

        private static int depth(int inTrace) {
            int depth = 0;
            for (long n = inTrace; n > 0; n = (n - 1) / FAN_OUT) {
                depth++;
            }
            return depth;
        }

        private interface Message {
            void write() throws IOException;
        }

        private void write(String traceId, String spanId, String parentSpanId, String service, String kind,
                           double startMs, double endMs, Message message) throws IOException {
            g.writeStartObject();
            g.writeStringField("type", "span");
            g.writeStringField("tenant", TENANT);
            g.writeStringField("traceId", traceId);
            g.writeStringField("spanId", spanId);
            g.writeStringField("parentSpanId", parentSpanId);
            g.writeStringField("service", service);
            g.writeStringField("name", message == null ? "handle" : "SQS " + kind);
            g.writeStringField("kind", kind);
            g.writeFieldName("startMs");
            Json.writeMillis(g, startMs);
            g.writeFieldName("endMs");
            Json.writeMillis(g, endMs);
            g.writeStringField("status", "ok");
            g.writeArrayFieldStart("messages");
            if (message != null) {
                message.write();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("links");
            g.writeEndArray();
            g.writeObjectFieldStart("attributes");
            g.writeStringField("cloud.region", "us-east-1");
            g.writeStringField("faas.name", service);
            g.writeNumberField("http.status_code", 200);
            g.writeEndObject();
            g.writeEndObject();
            written++;
        }
    }

    /**
     * Command line: {@code java -cp target/tracestitch.jar io.tracestitch.jobs.tools.HostileWorlds
     * --world hot-key|distinct-keys|huge-trace|spread-traces --size N --out file}.
     */
    public static void main(String[] args) throws IOException {
        World world = null;
        int size = -1;
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--world" -> world = World.valueOf(args[i + 1].toUpperCase(Locale.ROOT).replace('-', '_'));
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (world == null || size < 0 || out == null) {
            throw new IllegalArgumentException("usage: HostileWorlds --world hot-key|distinct-keys|huge-trace|"
                    + "spread-traces --size N --out file");
        }
        System.err.printf("%d lines -> %s%n", write(world, size, out), out);
    }
}
