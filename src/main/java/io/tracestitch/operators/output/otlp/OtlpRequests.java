package io.tracestitch.operators.output.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.model.Json;
import io.tracestitch.operators.output.otlp.TransactionTrace.EncodedSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spans to write as OTLP {@code ExportTraceServiceRequest}s: one resource per service
 * ({@code service.name}, the tenant as {@code cloud.account.id}), split so that no request holds more
 * than {@link #MAX_SPAN_BYTES} of spans: a huge transaction becomes several requests, each well under
 * Kafka's default 1 MB record limit in either encoding. Encoded as protobuf, or as OTLP/JSON: the
 * protobuf JSON mapping with enums as integers and ids as hex (OTLP/JSON's one departure from it), on
 * one line, as the Collector's file exporter writes and its otlpjsonfile receiver reads.
 */
public final class OtlpRequests {

    /** Protobuf bytes of spans per request; OTLP/JSON of the same spans is about three times larger. */
    public static final int MAX_SPAN_BYTES = 256 << 10;

    static final InstrumentationScope SCOPE = InstrumentationScope.newBuilder().setName("io.tracestitch").build();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
            .printingEnumsAsInts();
    private static final ObjectMapper MAPPER = new ObjectMapper(Json.FACTORY);
    private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

    private OtlpRequests() {}

    public static List<ExportTraceServiceRequest> of(String tenant, List<EncodedSpan> spans) {
        List<ExportTraceServiceRequest> requests = new ArrayList<>();
        List<EncodedSpan> chunk = new ArrayList<>();
        int bytes = 0;
        for (EncodedSpan span : spans) {
            int size = span.span().getSerializedSize();
            if (!chunk.isEmpty() && bytes + size > MAX_SPAN_BYTES) {
                requests.add(request(tenant, chunk));
                chunk = new ArrayList<>();
                bytes = 0;
            }
            chunk.add(span);
            bytes += size;
        }
        if (!chunk.isEmpty()) {
            requests.add(request(tenant, chunk));
        }
        return requests;
    }

    private static ExportTraceServiceRequest request(String tenant, List<EncodedSpan> spans) {
        Map<String, ScopeSpans.Builder> byService = new LinkedHashMap<>();
        for (EncodedSpan span : spans) {
            byService.computeIfAbsent(span.service(), s -> ScopeSpans.newBuilder().setScope(SCOPE)).addSpans(span.span());
        }
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        byService.forEach((service, scopeSpans) -> request.addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder()
                        .addAttributes(TransactionTrace.string("service.name", service))
                        .addAttributes(TransactionTrace.string("cloud.account.id", tenant)))
                .addScopeSpans(scopeSpans)));
        return request.build();
    }

    public static byte[] encode(ExportTraceServiceRequest request, OtlpEncoding encoding) {
        return switch (encoding) {
            case OTLP_PROTO -> request.toByteArray();
            case OTLP_JSON -> json(request);
        };
    }

    /** One line of OTLP/JSON. */
    static byte[] json(ExportTraceServiceRequest request) {
        try {
            JsonNode tree = MAPPER.readTree(PRINTER.print(request));
            hexIds(tree);
            return MAPPER.writeValueAsBytes(tree);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("an OTLP request does not print as JSON", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON mapping writes bytes as base64; OTLP/JSON wants trace and span ids as hex. */
    private static void hexIds(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (String field : ID_FIELDS) {
                JsonNode id = object.get(field);
                if (id != null && id.isTextual()) {
                    object.put(field, HexFormat.of().formatHex(Base64.getDecoder().decode(id.asText())));
                }
            }
        }
        node.forEach(OtlpRequests::hexIds);
    }
}
