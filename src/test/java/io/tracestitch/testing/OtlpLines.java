package io.tracestitch.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * OTLP/JSON read back with opentelemetry-proto's model and protobuf's own JSON parser: the hex ids
 * OTLP/JSON uses turned back into the base64 that the protobuf JSON mapping reads (the one difference).
 */
public final class OtlpLines {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

    private OtlpLines() {}

    public static List<ExportTraceServiceRequest> read(Path file) throws IOException {
        List<ExportTraceServiceRequest> requests = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                requests.add(parse(line));
            }
        }
        return requests;
    }

    public static ExportTraceServiceRequest parse(String line) throws IOException {
        JsonNode tree = JSON.readTree(line);
        base64Ids(tree);
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        JsonFormat.parser().merge(JSON.writeValueAsString(tree), request);
        return request.build();
    }

    private static void base64Ids(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : ID_FIELDS) {
                JsonNode id = object.get(field);
                if (id != null && id.isTextual()) {
                    if (!id.asText().matches("[0-9a-f]*")) {
                        throw new AssertionError(field + " is not lower-case hex: " + id.asText());
                    }
                    object.put(field, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(id.asText())));
                }
            }
        }
        node.forEach(OtlpLines::base64Ids);
    }
}
