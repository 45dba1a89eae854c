package io.tracestitch.jobs.tools;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.StitchRun;
import io.tracestitch.jobs.tools.simulator.ShopSimulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The embedded default: the built-in shop simulator feeds the real job on a MiniCluster, and a few
 * stitched transactions are printed as trees of traces joined by their async hops.
 *
 * <pre>demo [--requests 50] [--seed 42] [--out &lt;dir&gt;]</pre>
 */
public final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Demo() {}

    /** Simulates {@code requests} per tenant from {@code seed} and writes the run's files into {@code dir}. */
    public static void run(int requests, long seed, Path dir) throws Exception {
        ShopSimulator.Options options = ShopSimulator.Options.defaults().withOrder(ShopSimulator.Order.LATE)
                .withRequestsPerTenant(requests).withSeed(seed);
        Files.createDirectories(dir);
        Path input = dir.resolve("input.ndjson");
        try (BufferedWriter out = Files.newBufferedWriter(input)) {
            new ShopSimulator(options).write(out);
        }
        Path transactions = dir.resolve("transactions.ndjson");
        Path deadLetters = dir.resolve("dead-letters.ndjson");
        System.out.println("Simulated serverless shop: " + options.tenants().size() + " tenants x "
                + options.requestsPerTenant() + " requests (API -> SNS fan-out -> Kinesis/SQS/EventBridge consumers,"
                + " cold starts, timeouts, untraced producers, late spans) -> " + input);
        Map<String, Long> counters = StitchRun.run(StitchRun.Files.checked(List.of(input), transactions, deadLetters, null),
                StitchConfig.defaults(), 2);
        List<JsonNode> view = finalView(transactions);
        System.out.printf("Stitched %d records into %d transactions (%d revisions written, %d dead letters).%n%n",
                counters.getOrDefault("recordsIn", 0L), view.size(), counters.getOrDefault("revisionsOut", 0L),
                counters.getOrDefault("deadLetters", 0L));
        for (JsonNode txn : pick(view)) {
            print(txn);
        }
        System.out.println("Full NDJSON (every revision): " + transactions.toAbsolutePath());
        System.out.println("Dead letters: " + deadLetters.toAbsolutePath());
    }

    /** Highest revision of each transaction, minus every superseded id. */
    static List<JsonNode> finalView(Path transactions) throws Exception {
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        Set<String> superseded = new HashSet<>();
        for (String line : Files.readAllLines(transactions)) {
            JsonNode txn = JSON.readTree(line);
            String key = txn.get("tenant").asText() + "/" + txn.get("transactionId").asText();
            JsonNode known = latest.get(key);
            if (known == null || known.get("revision").asInt() < txn.get("revision").asInt()) {
                latest.put(key, txn);
            }
            txn.get("supersedes").forEach(id -> superseded.add(txn.get("tenant").asText() + "/" + id.asText()));
        }
        latest.keySet().removeAll(superseded);
        return new ArrayList<>(latest.values());
    }

    /** The deepest transaction, a fan-in one and one with a timeout, when the world has them. */
    private static List<JsonNode> pick(List<JsonNode> view) {
        List<JsonNode> picked = new ArrayList<>();
        view.stream().max(Comparator.comparingInt((JsonNode t) -> t.get("traceIds").size())).ifPresent(picked::add);
        view.stream().filter(t -> t.get("upstreamTransactions").size() > 1).findFirst().ifPresent(picked::add);
        view.stream().filter(t -> !picked.contains(t))
                .filter(t -> t.get("traceIds").size() > 2)
                .filter(t -> has(t.get("invocations"), "timedOut")).findFirst().ifPresent(picked::add);
        return picked;
    }

    private static boolean has(JsonNode invocations, String flag) {
        for (JsonNode i : invocations) {
            if (i.get(flag).asBoolean()) {
                return true;
            }
        }
        return false;
    }

    private static void print(JsonNode txn) {
        System.out.printf("transaction %s  (tenant %s, revision %d, %d traces, %d spans, %.0f ms, %d errors)%n",
                txn.get("transactionId").asText(), txn.get("tenant").asText(), txn.get("revision").asInt(),
                txn.get("traceIds").size(), txn.get("spanCount").asInt(), txn.get("durationMs").asDouble(),
                txn.get("errorCount").asInt());
        if (txn.get("upstreamTransactions").size() > 0) {
            System.out.println("  fan-in from upstream transactions " + txn.get("upstreamTransactions"));
        }
        Map<String, String> traceLabel = new HashMap<>();
        Map<String, JsonNode> invocationById = new HashMap<>();
        txn.get("invocations").forEach(i -> invocationById.put(i.get("requestId").asText(), i));
        for (JsonNode span : txn.get("spans")) {
            if (span.get("parentSpanId").isNull()) {
                JsonNode invocation = invocationById.get(span.path("requestId").asText());
                traceLabel.put(span.get("traceId").asText(), span.get("service").asText() + " [" + span.get("kind").asText()
                        + "]" + invocationFlags(invocation));
            }
        }
        Map<String, List<JsonNode>> hopsFrom = new LinkedHashMap<>();
        Set<String> consumers = new HashSet<>();
        for (JsonNode edge : txn.get("edges")) {
            if ("hop".equals(edge.get("type").asText())) {
                hopsFrom.computeIfAbsent(edge.get("producerTraceId").asText(), k -> new ArrayList<>()).add(edge);
                consumers.add(edge.get("consumerTraceId").asText());
            }
        }
        Set<String> printed = new HashSet<>();
        for (JsonNode traceId : txn.get("traceIds")) {
            if (!consumers.contains(traceId.asText())) {
                printTrace(traceId.asText(), "", null, traceLabel, hopsFrom, printed);
            }
        }
        txn.get("unmatched").forEach(u -> System.out.println("  ? received with no seen producer: " + u));
        System.out.println();
    }

    private static String invocationFlags(JsonNode invocation) {
        if (invocation == null) {
            return "";
        }
        StringBuilder flags = new StringBuilder();
        if (invocation.get("coldStart").asBoolean()) {
            flags.append(" cold start");
        }
        if (invocation.get("timedOut").asBoolean()) {
            flags.append(" TIMED OUT");
        } else if ("error".equals(invocation.path("status").asText())) {
            flags.append(" ERROR ").append(invocation.path("errorType").asText(""));
        }
        if (!invocation.get("durationMs").isNull()) {
            flags.append(String.format(" %.0f ms", invocation.get("durationMs").asDouble()));
        }
        return flags.toString();
    }

    private static void printTrace(String traceId, String indent, JsonNode via, Map<String, String> labels,
            Map<String, List<JsonNode>> hopsFrom, Set<String> printed) {
        String hop = via == null ? "" : String.format("--%s %s (+%.0f ms)--> ", via.get("system").asText(),
                via.get("via").asText().substring(via.get("system").asText().length() + 1), via.get("delayMs").asDouble());
        System.out.printf("  %s%s%s  trace %s%n", indent, hop, labels.getOrDefault(traceId, "?"),
                traceId.substring(0, Math.min(8, traceId.length())));
        if (!printed.add(traceId)) {
            return; // already shown above: a consumer reached through several hops
        }
        Set<String> children = new HashSet<>();
        for (JsonNode edge : hopsFrom.getOrDefault(traceId, List.of())) {
            String consumer = edge.get("consumerTraceId").asText();
            if (children.add(consumer)) {
                printTrace(consumer, indent + "    ", edge, labels, hopsFrom, printed);
            }
        }
    }
}
