package io.tracestitch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Output lines (one transaction revision each, UTF-8 JSON) read back for assertions. */
public final class TransactionLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TransactionLines() {}

    public static JsonNode parse(byte[] line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** E.g. {@code "tx-a r2 [a, b]"}: id, revision and trace ids of the line. */
    public static String describe(byte[] line) {
        JsonNode record = parse(line);
        List<String> traces = new ArrayList<>();
        record.path("traceIds").forEach(t -> traces.add(t.asText()));
        return record.path("transactionId").asText() + " r" + record.path("revision").asInt() + " " + traces;
    }

    public static List<String> text(List<byte[]> lines) {
        return lines.stream().map(line -> new String(line, StandardCharsets.UTF_8)).toList();
    }
}
