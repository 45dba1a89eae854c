package io.tracestitch.operators.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * OTLP/JSON, the JSON encoding of the OpenTelemetry protocol, to and from the protobuf model.
 * It is protobuf's JSON mapping (lowerCamelCase names, 64-bit integers as numbers or strings, enums
 * as integers or names, unknown fields ignored) with one exception that {@link JsonFormat} does not
 * know: trace and span ids are hex strings, not Base64. The ids of spans and span links are
 * therefore rewritten between the two before parsing and after printing.
 */
public final class OtlpJson {

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            // OTLP nests attribute values (arrays, key-value lists); protobuf's own limit is 100 levels.
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(128).build())
            .build());
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
            .omittingInsignificantWhitespace().printingEnumsAsInts();
    private static final HexFormat HEX = HexFormat.of();
    /** Id fields by their JSON name and their proto name; the parser accepts both. */
    private static final List<String> SPAN_IDS = List.of("traceId", "trace_id", "spanId", "span_id", "parentSpanId",
            "parent_span_id");
    private static final List<String> LINK_IDS = List.of("traceId", "trace_id", "spanId", "span_id");

    private OtlpJson() {}

    /** A {@code ExportTraceServiceRequest} (or {@code TracesData}, the same shape) in OTLP/JSON. */
    public static ExportTraceServiceRequest parse(byte[] json) throws IOException {
        JsonNode request = JSON.readTree(json);
        if (request == null || !request.isObject()) {
            throw new InvalidProtocolBufferException("not a JSON object");
        }
        for (JsonNode resource : list(request, "resourceSpans", "resource_spans")) {
            for (JsonNode scope : list(resource, "scopeSpans", "scope_spans")) {
                for (JsonNode span : list(scope, "spans")) {
                    rewriteSpanIds(span, OtlpJson::hexToBase64);
                }
            }
        }
        ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
        PARSER.merge(JSON.writeValueAsString(request), builder);
        return builder.build();
    }

    /** A request, a span or any other OTLP message in OTLP/JSON, on one line. */
    public static String print(MessageOrBuilder message) {
        try {
            JsonNode printed = JSON.readTree(PRINTER.print(message));
            if (message instanceof io.opentelemetry.proto.trace.v1.SpanOrBuilder) {
                rewriteSpanIds(printed, OtlpJson::base64ToHex);
            } else {
                for (JsonNode resource : list(printed, "resourceSpans")) {
                    for (JsonNode scope : list(resource, "scopeSpans")) {
                        for (JsonNode span : list(scope, "spans")) {
                            rewriteSpanIds(span, OtlpJson::base64ToHex);
                        }
                    }
                }
            }
            return JSON.writeValueAsString(printed);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a message always prints, and its printing always reads back
        }
    }

    private static Iterable<JsonNode> list(JsonNode holder, String... names) {
        for (String name : names) {
            JsonNode list = holder.get(name);
            if (list != null && list.isArray()) {
                return list;
            }
        }
        return List.of(); // absent, or not a list: the parser reports the latter
    }

    private static void rewriteSpanIds(JsonNode span, UnaryOperator<String> rewrite) {
        if (!(span instanceof ObjectNode object)) {
            return;
        }
        rewriteFields(object, SPAN_IDS, rewrite);
        for (JsonNode link : list(span, "links")) {
            if (link instanceof ObjectNode linkObject) {
                rewriteFields(linkObject, LINK_IDS, rewrite);
            }
        }
    }

    private static void rewriteFields(ObjectNode holder, List<String> fields, UnaryOperator<String> rewrite) {
        for (String field : fields) {
            JsonNode value = holder.get(field);
            if (value != null && value.isTextual()) {
                holder.put(field, rewrite.apply(value.textValue()));
            }
        }
    }

    /**
     * Hex as OTLP/JSON writes ids, in either case. Anything else becomes an empty id, which the span's
     * checks reject with the field's name, so one bad id costs its span rather than the whole request.
     */
    private static String hexToBase64(String hex) {
        try {
            return Base64.getEncoder().encodeToString(HEX.parseHex(hex));
        } catch (IllegalArgumentException notHex) {
            return "";
        }
    }

    private static String base64ToHex(String base64) {
        return HEX.formatHex(Base64.getDecoder().decode(base64));
    }
}
