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
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A TraceStitch output read line by line as a changelog, in file order, not only as its final view
 * (docs/stitching.md, rule C3):
 * <ul>
 *   <li>no line for a transaction id after a line that superseded it;
 *   <li>the revisions of one id strictly increase;
 *   <li>{@code upstreamTransactions} never name an id that is already superseded.
 * </ul>
 * Ids are per tenant, so every rule is checked per {@code (tenant, transactionId)}.
 */
public final class Changelog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SHOWN = 8;

    private Changelog() {}

    /** Fails listing the first broken rules, with their line numbers. */
    public static void assertValid(Path output) {
        List<String> violations = violations(output);
        if (!violations.isEmpty()) {
            StringBuilder message = new StringBuilder().append(output.getFileName())
                    .append(" breaks the changelog rules (").append(violations.size()).append(" violations); first ones:");
            violations.stream().limit(SHOWN).forEach(v -> message.append("\n  ").append(v));
            throw new AssertionError(message.toString());
        }
    }

    /** Every broken rule, in file order; empty for a valid changelog. */
    public static List<String> violations(Path output) {
        try {
            return violations(Files.readAllLines(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every broken rule of these lines, in order; empty for a valid changelog. */
    public static List<String> violations(List<String> lines) {
        List<String> violations = new ArrayList<>();
        Set<String> superseded = new HashSet<>();
        Map<String, Integer> lastRevision = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            int lineNumber = i + 1;
            JsonNode record = parse(lines.get(i), lineNumber);
            String tenant = record.path("tenant").asText();
            String id = record.path("transactionId").asText();
            int revision = record.path("revision").asInt();
            String key = tenant + "|" + id;
            if (superseded.contains(key)) {
                violations.add("line " + lineNumber + ": " + id + " revision " + revision
                        + " written after it was superseded");
            }
            Integer previous = lastRevision.put(key, revision);
            if (previous != null && revision <= previous) {
                violations.add("line " + lineNumber + ": " + id + " revision " + revision + " after revision " + previous);
            }
            record.path("supersedes").forEach(old -> superseded.add(tenant + "|" + old.asText()));
            for (JsonNode upstream : record.path("upstreamTransactions")) {
                if (superseded.contains(tenant + "|" + upstream.asText())) {
                    violations.add("line " + lineNumber + ": " + id + " revision " + revision
                            + " names the superseded upstream " + upstream.asText());
                }
            }
        }
        return violations;
    }

    private static JsonNode parse(String line, int lineNumber) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("line " + lineNumber + " is not JSON: "
                    + line.substring(0, Math.min(200, line.length())), e);
        }
    }
}
