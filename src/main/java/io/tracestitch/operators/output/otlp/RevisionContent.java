package io.tracestitch.operators.output.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.Json;
import io.tracestitch.model.Span;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.trace.TraceDigests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the OTLP encoder needs of one revision, read back from its JSON line (the README's output
 * format): the ids, the upstream transactions, the invocations by request id and the spans. The line
 * is the revision's only complete form: spans exist, once their trace closed, only rendered as input
 * span records, so reading them through the input's own parser ({@link TraceDigests#parseRendered}) gives exactly the spans
 * (normalised message references and join keys included) that the line shows.
 */
public record RevisionContent(String tenant, String transactionId, int revision, List<String> supersedes,
        List<String> upstreamTransactions, double startMs, double endMs, Set<JoinKey> unmatchedMessages,
        Set<String> unmatchedLinks, Map<String, InvocationFacts> invocations, List<Span> spans) {

    /** One invocation's log facts; NaN and null where the logs did not say. */
    public record InvocationFacts(String requestId, String function, boolean coldStart, double initDurationMs,
            double restoreDurationMs, double durationMs, double billedDurationMs, double memorySizeMb,
            double maxMemoryUsedMb, boolean timedOut, String status, String errorType) {

        /** A REPORT line arrived: only then are cold start and billing known. */
        public boolean reported() {
            return !Double.isNaN(billedDurationMs) || coldStart;
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper(Json.FACTORY);

    /** @throws IllegalArgumentException if the line is not a transaction line of this job */
    public static RevisionContent of(TransactionRevision revision) {
        JsonNode line;
        try {
            line = MAPPER.readTree(revision.line());
        } catch (IOException e) {
            throw new UncheckedIOException("a transaction line does not parse", e);
        }
        Map<String, InvocationFacts> invocations = new HashMap<>();
        for (JsonNode i : line.path("invocations")) {
            InvocationFacts facts = new InvocationFacts(i.path("requestId").asText(), text(i, "function"),
                    i.path("coldStart").asBoolean(), number(i, "initDurationMs"), number(i, "restoreDurationMs"),
                    number(i, "durationMs"), number(i, "billedDurationMs"), number(i, "memorySizeMb"),
                    number(i, "maxMemoryUsedMb"), i.path("timedOut").asBoolean(), text(i, "status"), text(i, "errorType"));
            invocations.put(facts.requestId(), facts);
        }
        Set<JoinKey> unmatchedMessages = new HashSet<>();
        Set<String> unmatchedLinks = new HashSet<>();
        for (JsonNode u : line.path("unmatched")) {
            if (u.has("linkedTraceId")) {
                unmatchedLinks.add(u.get("linkedTraceId").asText());
            } else {
                unmatchedMessages.add(JoinKey.of(revision.tenant(), u.path("system").asText(), text(u, "destination"),
                        u.path("id").asText()));
            }
        }
        return new RevisionContent(revision.tenant(), revision.transactionId(), revision.revision(),
                List.of(revision.supersedes()), strings(line.path("upstreamTransactions")), number(line, "startMs"),
                number(line, "endMs"), unmatchedMessages, unmatchedLinks, invocations, spans(line.path("spans")));
    }

    private static List<Span> spans(JsonNode array) {
        List<Span> spans = new ArrayList<>(array.size());
        try {
            for (JsonNode span : array) {
                spans.add(TraceDigests.parseRendered(MAPPER.writeValueAsBytes(span)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return spans;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>(array.size());
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asDouble() : Double.NaN;
    }
}
