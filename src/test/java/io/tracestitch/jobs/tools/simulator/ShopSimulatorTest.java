package io.tracestitch.jobs.tools.simulator;

import io.tracestitch.jobs.tools.simulator.ShopSimulator.Order;

import io.tracestitch.jobs.tools.simulator.ShopSimulator.Options;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ShopSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEX32 = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern HEX16 = Pattern.compile("[0-9a-f]{16}");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Set<String> KINDS = Set.of("server", "client", "producer", "consumer", "internal");
    private static final Set<String> SYSTEMS = Set.of("sns", "sqs", "kinesis", "eventbridge");
    private static final long EPOCH = ShopSimulator.EPOCH_MS;

    private static Options small() {
        return Options.defaults().withRequestsPerTenant(60);
    }

    @Test
    void sameSeedGivesIdenticalOutput() throws Exception {
        List<String> a = new ShopSimulator(small()).lines();
        StringWriter w = new StringWriter();
        new ShopSimulator(small()).write(w);
        assertThat(w.toString()).isEqualTo(String.join("\n", a) + "\n");
        assertThat(new ShopSimulator(small().withSeed(7)).lines()).isNotEqualTo(a);
    }

    /**
     * Pins the exact output of a small world with every feature switched on, in each order, so that an
     * accidental change of the generator (a moved random draw, a reformatted number) is caught. A refactoring
     * must keep these hashes; a deliberate change of the output updates them. Each equals the sha256sum of
     * {@code tracestitch simulate --requests 20 --duplicates 0.3 --colliding 0.3 --links 0.5 --timeouts 0.2
     * --snapstart 0.2 --garbage 0.05 --order sorted|late|shuffled}.
     */
    @Test
    void outputOfASmallWorldIsPinned() throws Exception {
        Options world = Options.defaults().withRequestsPerTenant(20).withDuplicateRate(0.3).withCollidingIdRate(0.3)
                .withLinkRate(0.5).withTimeoutRate(0.2).withSnapStartRate(0.2).withGarbageRate(0.05);
        assertThat(sha256(world.withOrder(Order.SORTED)))
                .isEqualTo("7752d17febee33a0921a52f38a5eb735b0841c4223abb12c8100d0b621dcbc06");
        assertThat(sha256(world.withOrder(Order.LATE)))
                .isEqualTo("5947d6457c261f37630f07328269918f855e1b35ab4ce4697d0bd7933483739b");
        assertThat(sha256(world.withOrder(Order.SHUFFLED)))
                .isEqualTo("5864fc97bc24744ca408a217a04ba4c3937aa94ad82b1c4dc2472b257dc6bf9a");
    }

    @Test
    void orderChangesPositionsOnly() {
        List<String> sorted = new ShopSimulator(small()).lines();
        List<String> late = new ShopSimulator(small().withOrder(Order.LATE)).lines();
        List<String> shuffled = new ShopSimulator(small().withOrder(Order.SHUFFLED)).lines();
        assertThat(late).isNotEqualTo(sorted).containsExactlyInAnyOrderElementsOf(sorted);
        assertThat(shuffled).isNotEqualTo(sorted).containsExactlyInAnyOrderElementsOf(sorted);
    }

    @Test
    void sortedIsNearlyInTimeOrderAndLateHasStragglers() {
        Options clean = small().withGarbageRate(0);
        assertThat(maxLagMs(new ShopSimulator(clean).lines())).isLessThan(15_000);
        assertThat(maxLagMs(new ShopSimulator(clean.withOrder(Order.LATE)).lines())).isGreaterThan(30_000);
    }

    @Test
    void everyLineHasTheDocumentedShape() {
        List<String> lines = new ShopSimulator(small().withGarbageRate(0)).lines();
        Set<String> seen = new HashSet<>();
        for (String line : lines) {
            String kind = shape(line);
            assertThat(kind).as(line).isNotNull();
            seen.add(kind);
        }
        assertThat(seen).contains("span", "log", "DATA_MESSAGE");
    }

    @Test
    void garbageAppearsAtRoughlyItsRate() {
        List<String> lines = new ShopSimulator(small().withGarbageRate(0.05)).lines();
        long garbage = lines.stream().filter(l -> shape(l) == null).count();
        assertThat((double) garbage / lines.size()).isBetween(0.035, 0.065);
    }

    @Test
    void everyReceivedIdHasAPublisherWhenAllProducersAreTraced() {
        List<JsonNode> spans = spans(new ShopSimulator(small().withUntracedProducerRate(0).withCollidingIdRate(0.2)).lines());
        Set<String> published = new HashSet<>();
        List<String> received = new ArrayList<>();
        for (JsonNode s : spans) {
            for (JsonNode m : s.get("messages")) {
                String key = joinKey(s.get("tenant").asText(), m);
                if (m.get("operation").asText().equals("publish")) published.add(key);
                else received.add(key);
            }
        }
        assertThat(received).isNotEmpty();
        assertThat(published).containsAll(received);
    }

    @Test
    void someProducersAreUntraced() {
        List<JsonNode> spans = spans(new ShopSimulator(small().withUntracedProducerRate(0.15)).lines());
        Set<String> published = new HashSet<>();
        for (JsonNode s : spans) {
            for (JsonNode m : s.get("messages")) {
                if (m.get("operation").asText().equals("publish")) published.add(joinKey(s.get("tenant").asText(), m));
            }
        }
        long unmatched = spans.stream().flatMap(s -> receivedKeys(s).stream()).filter(k -> !published.contains(k)).count();
        assertThat(unmatched).isPositive();
    }

    @Test
    void idsCollideAcrossTenantsAndKinesisSequenceNumbersAcrossStreams() {
        List<JsonNode> spans = spans(new ShopSimulator(small().withCollidingIdRate(0.2)).lines());
        Map<String, Set<String>> tenantsById = new HashMap<>();
        Map<String, Set<String>> streamsBySeq = new HashMap<>();
        for (JsonNode s : spans) {
            for (JsonNode m : s.get("messages")) {
                if (!m.get("operation").asText().equals("publish")) continue;
                String id = m.get("id").asText();
                String tenant = s.get("tenant").asText();
                if (m.get("system").asText().equals("kinesis")) {
                    streamsBySeq.computeIfAbsent(tenant + "|" + id, k -> new HashSet<>()).add(stream(m));
                } else {
                    tenantsById.computeIfAbsent(id, k -> new HashSet<>()).add(tenant);
                }
            }
        }
        assertThat(tenantsById.values()).anyMatch(t -> t.size() > 1);
        assertThat(streamsBySeq.values()).anyMatch(t -> t.size() > 1);
    }

    @Test
    void batchConsumersReceiveFromDifferentRequests() {
        List<JsonNode> spans = spans(new ShopSimulator(small().withUntracedProducerRate(0)).lines());
        Map<String, String> publisherTrace = new HashMap<>();
        Map<String, Set<String>> producerTraces = new HashMap<>();
        for (JsonNode s : spans) {
            for (JsonNode m : s.get("messages")) {
                if (m.get("operation").asText().equals("publish")) {
                    publisherTrace.put(joinKey(s.get("tenant").asText(), m), traceKey(s));
                }
            }
        }
        for (JsonNode s : spans) {
            for (String k : receivedKeys(s)) {
                producerTraces.computeIfAbsent(traceKey(s), t -> new HashSet<>()).add(publisherTrace.get(k));
            }
        }
        Map<String, Set<String>> roots = new HashMap<>();
        boolean fanIn = spans.stream().anyMatch(s -> {
            Set<Set<String>> rootSets = new HashSet<>();
            for (String k : receivedKeys(s)) rootSets.add(roots(publisherTrace.get(k), producerTraces, roots));
            return rootSets.size() >= 2;
        });
        assertThat(fanIn).isTrue();
    }

    @Test
    void chainsReachMaxDepth() {
        for (int depth : new int[] {1, 4, 12}) {
            List<JsonNode> spans = spans(new ShopSimulator(small().withMaxDepth(depth).withUntracedProducerRate(0)).lines());
            assertThat(longestChain(spans)).as("maxDepth %d", depth).isEqualTo(depth);
        }
    }

    @Test
    void linksPointAtProducerSpansOrAtTracesNeverEmitted() {
        List<JsonNode> spans = spans(new ShopSimulator(small().withLinkRate(1)).lines());
        Set<String> spanIds = new HashSet<>();
        spans.forEach(s -> spanIds.add(s.get("traceId").asText() + "/" + s.get("spanId").asText()));
        long resolved = 0;
        long dangling = 0;
        for (JsonNode s : spans) {
            for (JsonNode l : s.get("links")) {
                if (spanIds.contains(l.get("traceId").asText() + "/" + l.get("spanId").asText())) resolved++;
                else dangling++;
            }
        }
        assertThat(resolved).isPositive();
        assertThat(dangling).isPositive();
    }

    @Test
    void logsCoverBothFormatsColdStartsRestoresTimeoutsAndEnvelopes() {
        String all = String.join("\n", new ShopSimulator(small().withSnapStartRate(0.1).withTimeoutRate(0.1)).lines());
        assertThat(all).contains("START RequestId: ", "END RequestId: ", "REPORT RequestId: ", "\\tInit Duration: ",
                "\\tRestore Duration: ", "\\tBilled Restore Duration: ", "Status: timeout", "Task timed out after 3.00 seconds",
                "Status: error\\tError Type: Runtime.ExitError", "platform.start", "platform.runtimeDone",
                "platform.report", "initDurationMs", "restoreDurationMs", "\\\"status\\\":\\\"timeout\\\"",
                "\"messageType\":\"DATA_MESSAGE\"", "\"logGroup\":\"/aws/lambda/", "\\tINFO\\t", "\\\"level\\\":\\\"INFO\\\"");
    }

    @Test
    void timestampsAreDeterministicAndStartAtTheEpoch() {
        List<String> lines = new ShopSimulator(small().withGarbageRate(0)).lines();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (String line : lines) {
            JsonNode n = parse(line);
            JsonNode t = n.has("startMs") ? n.get("startMs") : n.get("timestampMs");
            if (t == null) continue;
            min = Math.min(min, t.asDouble());
            max = Math.max(max, t.asDouble());
        }
        assertThat(min).isBetween((double) EPOCH - 1_000, (double) EPOCH + 1_000);
        assertThat(max).isLessThan(EPOCH + 600_000);
        assertThat(new ShopSimulator(small().withGarbageRate(0)).lines()).isEqualTo(lines);
    }

    @Test
    void duplicatesRepeatSpanIds() {
        List<JsonNode> spans = spans(new ShopSimulator(small().withDuplicateRate(0.2)).lines());
        Set<String> ids = new HashSet<>();
        long repeats = spans.stream().filter(s -> !ids.add(traceKey(s) + "/" + s.get("spanId").asText())).count();
        assertThat((double) repeats / spans.size()).isBetween(0.1, 0.25);
    }

    // ------------------------------------------------------------ helpers

    private static String sha256(Options options) throws Exception {
        StringWriter out = new StringWriter();
        new ShopSimulator(options).write(out);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest);
    }

    /** The line's kind if it has the documented shape, else null (garbage). */
    private static String shape(String line) {
        JsonNode n = parse(line);
        if (n == null || !n.isObject()) return null;
        if ("span".equals(text(n, "type"))) return validSpan(n) ? "span" : null;
        if ("log".equals(text(n, "type"))) {
            boolean ok = matches(n, "tenant", ACCOUNT) && text(n, "function") != null && n.path("timestampMs").isNumber()
                    && n.path("message").isTextual() && (!n.has("requestId") || n.get("requestId").isTextual());
            return ok ? "log" : null;
        }
        if ("DATA_MESSAGE".equals(text(n, "messageType"))) {
            if (!matches(n, "owner", ACCOUNT) || !text(n, "logGroup").startsWith("/aws/lambda/")
                    || text(n, "logStream") == null || !n.path("logEvents").isArray() || n.get("logEvents").isEmpty()) {
                return null;
            }
            for (JsonNode e : n.get("logEvents")) {
                if (!e.path("id").isTextual() || !e.path("timestamp").isIntegralNumber() || !e.path("message").isTextual()) return null;
            }
            return "DATA_MESSAGE";
        }
        return "CONTROL_MESSAGE".equals(text(n, "messageType")) ? "CONTROL_MESSAGE" : null;
    }

    private static boolean validSpan(JsonNode n) {
        if (!matches(n, "tenant", ACCOUNT) || !matches(n, "traceId", HEX32) || !matches(n, "spanId", HEX16)) return false;
        if (!n.path("parentSpanId").isNull() && !matches(n, "parentSpanId", HEX16)) return false;
        if (text(n, "service") == null || text(n, "name") == null || !KINDS.contains(text(n, "kind"))) return false;
        if (!n.path("startMs").isNumber() || !n.path("endMs").isNumber()
                || n.get("endMs").asDouble() < n.get("startMs").asDouble()) return false;
        if (!Set.of("ok", "error").contains(text(n, "status")) || !n.path("attributes").isObject()) return false;
        if (!n.path("messages").isArray() || !n.path("links").isArray()) return false;
        for (JsonNode m : n.get("messages")) {
            if (!SYSTEMS.contains(text(m, "system")) || !Set.of("publish", "receive").contains(text(m, "operation"))
                    || text(m, "destination") == null || text(m, "id") == null) return false;
        }
        for (JsonNode l : n.get("links")) {
            if (!matches(l, "traceId", HEX32) || !matches(l, "spanId", HEX16)) return false;
        }
        return true;
    }

    private static boolean matches(JsonNode n, String field, Pattern p) {
        String v = text(n, field);
        return v != null && p.matcher(v).matches();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            return null;
        }
    }

    private static List<JsonNode> spans(List<String> lines) {
        List<JsonNode> spans = new ArrayList<>();
        for (String line : lines) {
            if ("span".equals(shape(line))) spans.add(parse(line));
        }
        return spans;
    }

    private static String traceKey(JsonNode span) {
        return span.get("tenant").asText() + "/" + span.get("traceId").asText();
    }

    private static List<String> receivedKeys(JsonNode span) {
        List<String> keys = new ArrayList<>();
        for (JsonNode m : span.get("messages")) {
            if (m.get("operation").asText().equals("receive")) keys.add(joinKey(span.get("tenant").asText(), m));
        }
        return keys;
    }

    /** The join key (docs/stitching.md, I5): (tenant, system, id), plus the stream name for Kinesis. */
    private static String joinKey(String tenant, JsonNode m) {
        String system = m.get("system").asText();
        String stream = system.equals("kinesis") ? stream(m) : "";
        return tenant + "|" + system + "|" + stream + "|" + m.get("id").asText();
    }

    private static String stream(JsonNode m) {
        String d = m.get("destination").asText();
        int i = d.indexOf(":stream/");
        if (i < 0) return d;
        String rest = d.substring(i + ":stream/".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** The entry traces (no producers) that a trace descends from. */
    private static Set<String> roots(String trace, Map<String, Set<String>> producers, Map<String, Set<String>> memo) {
        Set<String> known = memo.get(trace);
        if (known != null) return known;
        Set<String> result = new HashSet<>();
        Set<String> ps = producers.get(trace);
        if (ps == null) result.add(trace);
        else for (String p : ps) result.addAll(roots(p, producers, memo));
        memo.put(trace, result);
        return result;
    }

    /** Longest chain of traces joined by messages, counted in traces (the entry trace alone is 1). */
    private static int longestChain(List<JsonNode> spans) {
        Map<String, String> publisherTrace = new HashMap<>();
        for (JsonNode s : spans) {
            for (JsonNode m : s.get("messages")) {
                if (m.get("operation").asText().equals("publish")) publisherTrace.put(joinKey(s.get("tenant").asText(), m), traceKey(s));
            }
        }
        Map<String, Set<String>> producers = new HashMap<>();
        Set<String> traces = new HashSet<>();
        for (JsonNode s : spans) {
            traces.add(traceKey(s));
            for (String k : receivedKeys(s)) producers.computeIfAbsent(traceKey(s), t -> new HashSet<>()).add(publisherTrace.get(k));
        }
        Map<String, Integer> depth = new HashMap<>();
        int longest = 0;
        for (String t : traces) longest = Math.max(longest, depth(t, producers, depth));
        return longest;
    }

    private static int depth(String trace, Map<String, Set<String>> producers, Map<String, Integer> memo) {
        Integer known = memo.get(trace);
        if (known != null) return known;
        int d = 1;
        for (String p : producers.getOrDefault(trace, Set.of())) d = Math.max(d, 1 + depth(p, producers, memo));
        memo.put(trace, d);
        return d;
    }

    /** How far (ms) a line's event time lies behind the latest event time seen before it in the file. */
    private static double maxLagMs(List<String> lines) {
        double latest = 0;
        double lag = 0;
        for (String line : lines) {
            JsonNode n = parse(line);
            if (n == null || !n.isObject()) continue;
            JsonNode t = n.has("endMs") ? n.get("endMs") : n.get("timestampMs");
            if (t == null || !t.isNumber()) continue;
            latest = Math.max(latest, t.asDouble());
            lag = Math.max(lag, latest - t.asDouble());
        }
        return lag;
    }
}
