package io.tracestitch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The final view of a TraceStitch output (docs/stitching.md, C4): per {@code (tenant, transactionId)} the
 * record with the highest revision (ties: the later one), minus every id named in any record's
 * {@code supersedes}. Compared with a {@code *.expected.ndjson} by trace sets.
 */
public final class FinalView {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN = 8;

    /** One transaction of the final view, reduced to what the expected files describe. */
    public record Txn(String tenant, String transactionId, int revision, List<String> traces, long spanCount,
            int invocations, int coldStarts, int timeouts, int unmatched, List<String> upstreamIds) {

        public String setKey() {
            return key(tenant, traces);
        }
    }

    /** One expected transaction. */
    public record Expected(String tenant, List<String> traces, long spans, int invocations, int coldStarts,
            int timeouts, Integer unmatched, List<List<String>> upstream) {}

    private final List<JsonNode> records;
    /** Final view in (tenant, transactionId) order. */
    private final Map<String, Txn> byId = new TreeMap<>();
    /** The same records whole, keyed like {@link #byId}. */
    private final Map<String, JsonNode> finalRecords = new TreeMap<>();
    private final List<String> repeatedRevisions = new ArrayList<>();

    private FinalView(List<JsonNode> records) {
        this.records = records;
        Map<String, JsonNode> best = new LinkedHashMap<>();
        Set<String> superseded = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode r : records) {
            String tenant = r.path("tenant").asText();
            String key = tenant + "|" + r.path("transactionId").asText();
            int revision = r.path("revision").asInt(0);
            if (!seen.add(key + "|" + revision)) {
                repeatedRevisions.add(key + " revision " + revision);
            }
            JsonNode current = best.get(key);
            if (current == null || revision >= current.path("revision").asInt(0)) {
                best.put(key, r);
            }
            for (JsonNode s : r.path("supersedes")) {
                superseded.add(tenant + "|" + s.asText());
            }
        }
        for (Map.Entry<String, JsonNode> e : best.entrySet()) {
            if (!superseded.contains(e.getKey())) {
                byId.put(e.getKey(), toTxn(e.getValue()));
                finalRecords.put(e.getKey(), e.getValue());
            }
        }
    }

    public static FinalView of(Path output) {
        return new FinalView(readLines(output).stream().map(FinalView::parse).toList());
    }

    public static FinalView of(List<String> outputLines) {
        return new FinalView(outputLines.stream().filter(l -> !l.isBlank()).map(FinalView::parse).toList());
    }

    public int recordCount() {
        return records.size();
    }

    public List<Txn> transactions() {
        return new ArrayList<>(byId.values());
    }

    /** The final view's records whole, in (tenant, transactionId) order. */
    public List<JsonNode> finalRecords() {
        return new ArrayList<>(finalRecords.values());
    }

    public List<String> repeatedRevisions() {
        return repeatedRevisions;
    }

    /**
     * Every final transaction whole, keyed by its trace set, with what names it taken out: its own
     * id, revision and supersedes, and its upstream transactions given by their trace sets. What two
     * runs over the same input must agree on field by field, whatever the order or parallelism.
     */
    public Map<String, String> content() {
        Map<String, String> setKeyOfId = new HashMap<>();
        byId.forEach((key, txn) -> setKeyOfId.put(key, txn.setKey()));
        Map<String, String> out = new TreeMap<>();
        finalRecords.forEach((key, record) -> {
            com.fasterxml.jackson.databind.node.ObjectNode copy = record.deepCopy();
            copy.remove(List.of("transactionId", "revision", "supersedes"));
            com.fasterxml.jackson.databind.node.ArrayNode upstream = copy.putArray("upstreamTransactions");
            List<String> upstreamSets = new ArrayList<>();
            for (JsonNode id : record.path("upstreamTransactions")) {
                upstreamSets.add(setKeyOfId.getOrDefault(record.path("tenant").asText() + "|" + id.asText(),
                        "missing " + id.asText()));
            }
            upstreamSets.stream().sorted().forEach(upstream::add);
            out.put(byId.get(key).setKey(), copy.toString());
        });
        return out;
    }

    /** Differences from the expected file, empty when everything matches. */
    public List<String> differences(Path expectedFile) {
        return differences(expectedFile(expectedFile));
    }

    /** The transactions of a {@code *.expected.ndjson}. */
    public static List<Expected> expectedFile(Path expectedFile) {
        return readLines(expectedFile).stream().map(FinalView::parse).map(FinalView::toExpected).toList();
    }

    public List<String> differences(List<Expected> expected) {
        List<String> diffs = new ArrayList<>();
        Map<String, Expected> wantBySet = new TreeMap<>();
        for (Expected e : expected) {
            wantBySet.put(key(e.tenant(), e.traces()), e);
        }
        Map<String, Txn> gotBySet = new TreeMap<>();
        Map<String, List<String>> owners = new TreeMap<>();
        Map<String, List<String>> setOfId = new HashMap<>();
        for (Txn t : byId.values()) {
            gotBySet.put(t.setKey(), t);
            setOfId.put(t.tenant() + "|" + t.transactionId(), t.traces());
            for (String trace : t.traces()) {
                owners.computeIfAbsent(t.tenant() + "|" + trace, k -> new ArrayList<>()).add(t.transactionId());
            }
        }
        owners.forEach((trace, ids) -> {
            if (ids.size() > 1) {
                diffs.add("trace " + trace + " is in " + ids.size() + " transactions " + ids);
            }
        });
        for (String r : repeatedRevisions) {
            diffs.add("repeated (transactionId, revision): " + r);
        }
        for (Map.Entry<String, Expected> e : wantBySet.entrySet()) {
            Expected want = e.getValue();
            Txn got = gotBySet.get(e.getKey());
            if (got == null) {
                diffs.add("missing " + describe(want.tenant(), want.traces()) + " (" + where(want, owners) + ")");
                continue;
            }
            String id = got.tenant() + "/" + got.transactionId() + " " + describe(want.tenant(), want.traces());
            if (got.spanCount() != want.spans()) {
                diffs.add(id + ": spanCount " + got.spanCount() + ", expected " + want.spans());
            }
            if (got.invocations() != want.invocations()) {
                diffs.add(id + ": invocations " + got.invocations() + ", expected " + want.invocations());
            }
            if (got.coldStarts() != want.coldStarts()) {
                diffs.add(id + ": coldStarts " + got.coldStarts() + ", expected " + want.coldStarts());
            }
            if (got.timeouts() != want.timeouts()) {
                diffs.add(id + ": timeouts " + got.timeouts() + ", expected " + want.timeouts());
            }
            if (want.unmatched() != null && got.unmatched() != want.unmatched()) {
                diffs.add(id + ": unmatched " + got.unmatched() + ", expected " + want.unmatched());
            }
            List<String> wantUp = new ArrayList<>();
            for (List<String> u : want.upstream()) {
                wantUp.add(String.join(",", new TreeSet<>(u)));
            }
            wantUp.sort(null);
            List<String> gotUp = new ArrayList<>();
            for (String u : got.upstreamIds()) {
                List<String> set = setOfId.get(got.tenant() + "|" + u);
                gotUp.add(set == null ? "?" + u : String.join(",", set));
            }
            gotUp.sort(null);
            if (!wantUp.equals(gotUp)) {
                diffs.add(id + ": upstream " + gotUp + ", expected " + wantUp);
            }
        }
        for (Map.Entry<String, Txn> e : gotBySet.entrySet()) {
            if (!wantBySet.containsKey(e.getKey())) {
                Txn t = e.getValue();
                diffs.add("extra " + t.tenant() + "/" + t.transactionId() + " rev " + t.revision() + " "
                        + describe(t.tenant(), t.traces()));
            }
        }
        return diffs;
    }

    /** Fails with the first differences, listed readably. */
    public void assertMatches(Path expectedFile) {
        List<String> diffs = differences(expectedFile);
        if (!diffs.isEmpty()) {
            StringBuilder msg = new StringBuilder();
            msg.append("final view (").append(byId.size()).append(" transactions from ").append(records.size())
                    .append(" records) differs from ").append(expectedFile.getFileName()).append(" in ")
                    .append(diffs.size()).append(" ways; first ones:");
            diffs.stream().limit(SHOWN).forEach(d -> msg.append("\n  ").append(d));
            throw new AssertionError(msg.toString());
        }
    }

    private static String where(Expected want, Map<String, List<String>> owners) {
        Set<String> ids = new TreeSet<>();
        for (String trace : want.traces()) {
            List<String> o = owners.get(want.tenant() + "|" + trace);
            ids.add(o == null ? "<nowhere>" : String.join("+", o));
        }
        return "its traces are in " + ids;
    }

    private static String describe(String tenant, List<String> traces) {
        return tenant + " {" + traces.size() + " traces: "
                + String.join(",", traces.subList(0, Math.min(3, traces.size())))
                + (traces.size() > 3 ? ",…" : "") + "}";
    }

    static String key(String tenant, List<String> sortedTraces) {
        return tenant + "|" + String.join(",", sortedTraces);
    }

    private static Txn toTxn(JsonNode r) {
        Set<String> traces = new TreeSet<>();
        r.path("traceIds").forEach(t -> traces.add(t.asText()));
        int invocations = 0, cold = 0, timeouts = 0;
        for (JsonNode i : r.path("invocations")) {
            invocations++;
            cold += i.path("coldStart").asBoolean(false) ? 1 : 0;
            timeouts += i.path("timedOut").asBoolean(false) ? 1 : 0;
        }
        List<String> up = new ArrayList<>();
        r.path("upstreamTransactions").forEach(u -> up.add(u.asText()));
        return new Txn(r.path("tenant").asText(), r.path("transactionId").asText(), r.path("revision").asInt(0),
                List.copyOf(traces), r.path("spanCount").asLong(-1), invocations, cold, timeouts,
                r.path("unmatched").size(), up);
    }

    private static Expected toExpected(JsonNode e) {
        List<String> traces = new ArrayList<>(new TreeSet<>(texts(e.path("traces"))));
        List<List<String>> upstream = new ArrayList<>();
        e.path("upstream").forEach(u -> upstream.add(texts(u)));
        return new Expected(e.path("tenant").asText(), traces, e.path("spans").asLong(), e.path("invocations").asInt(),
                e.path("coldStarts").asInt(), e.path("timeouts").asInt(),
                e.has("unmatched") ? e.path("unmatched").asInt() : null, upstream);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("output line is not JSON: " + line.substring(0, Math.min(200, line.length())), e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
