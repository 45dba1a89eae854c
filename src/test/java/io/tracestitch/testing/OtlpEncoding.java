package io.tracestitch.testing;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.operators.ingest.OtlpJson;
import io.tracestitch.operators.ingest.RecordParser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Native input re-encoded as OpenTelemetry would send it: each native span record becomes an OTLP
 * span in an {@code ExportTraceServiceRequest} (built with opentelemetry-proto's own builders), by
 * the README's mapping table read backwards. The dialects vary by span, so one world exercises them
 * all: current attribute names, the older ones ({@code messaging.operation}, {@code faas.execution},
 * {@code messaging.destination}), the systems' several spellings, the tenant on the resource or on
 * the span, and messages as span attributes or as one span link per message (batches always are).
 * Lines that are not valid native spans (log lines, garbage) stay native.
 */
public final class OtlpEncoding {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SPAN_ID = Pattern.compile("[0-9a-f]{16}");
    private static final int SPANS_PER_REQUEST = 50;

    /** The native lines split: OTLP requests for the spans, native lines for the rest. */
    public record Encoded(List<ExportTraceServiceRequest> requests, List<String> nativeLines) {

        /** One OTLP/JSON request per line, as the Collector's file exporter writes them. */
        public List<String> jsonLines() {
            return requests.stream().map(OtlpJson::print).toList();
        }

        /** Each request preceded by its length, 4 bytes big-endian: the file exporter's proto format. */
        public byte[] lengthPrefixedProto() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                for (ExportTraceServiceRequest request : requests) {
                    out.writeInt(request.getSerializedSize());
                    request.writeTo(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        /**
         * Both halves as files in {@code dir}, as {@code stitch --input <logs> --otlp <spans>} reads
         * them: {@code <name>.logs.ndjson}, and the spans as {@code <name>.spans.binpb} (protobuf) or
         * {@code <name>.spans.jsonl}.
         */
        public Written write(Path dir, String name, boolean proto) throws IOException {
            Path logs = Files.write(dir.resolve(name + ".logs.ndjson"), nativeLines, StandardCharsets.UTF_8);
            Path spans = proto ? Files.write(dir.resolve(name + ".spans.binpb"), lengthPrefixedProto())
                    : Files.write(dir.resolve(name + ".spans.jsonl"), jsonLines(), StandardCharsets.UTF_8);
            return new Written(logs, spans);
        }
    }

    /** Where {@link Encoded#write} put the native lines and the OTLP spans. */
    public record Written(Path logs, Path spans) {}

    private OtlpEncoding() {}

    public static Encoded encode(List<String> lines) {
        List<ExportTraceServiceRequest> requests = new ArrayList<>();
        List<String> nativeLines = new ArrayList<>();
        List<JsonNode> batch = new ArrayList<>();
        for (String line : lines) {
            JsonNode span = encodableSpan(line);
            if (span == null) {
                nativeLines.add(line);
                continue;
            }
            batch.add(span);
            if (batch.size() == SPANS_PER_REQUEST) {
                requests.add(request(batch));
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            requests.add(request(batch));
        }
        return new Encoded(requests, nativeLines);
    }

    /**
     * A native span record that the native parser takes and whose ids OTLP can carry (hex of 16 and
     * 8 bytes); null for any other line, which stays native and meets the same fate there.
     */
    private static JsonNode encodableSpan(String line) {
        boolean[] aSpan = {false};
        new RecordParser().parse(line.getBytes(StandardCharsets.UTF_8), new RecordParser.Output() {
            @Override
            public void span(io.tracestitch.model.Span span) {
                aSpan[0] = TRACE_ID.matcher(span.traceId()).matches() && SPAN_ID.matcher(span.spanId()).matches()
                        && (span.parentSpanId() == null || SPAN_ID.matcher(span.parentSpanId()).matches())
                        && Arrays.stream(span.links()).allMatch(l -> TRACE_ID.matcher(l.traceId()).matches()
                                && (l.spanId() == null || SPAN_ID.matcher(l.spanId()).matches()));
            }

            @Override
            public void log(LogFact log) {}

            @Override
            public void deadLetter(DeadLetter deadLetter) {}

            @Override
            public void ignored() {}
        });
        try {
            return aSpan[0] ? JSON.readTree(line) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the parser took it: it is JSON
        }
    }

    /** Spans grouped into resources by (tenant, service, where the tenant is named), in order of appearance. */
    private static ExportTraceServiceRequest request(List<JsonNode> spans) {
        Map<String, ResourceSpans.Builder> resources = new LinkedHashMap<>();
        for (JsonNode span : spans) {
            int dialect = Math.floorMod(span.path("spanId").asText().hashCode(), 4);
            String tenant = span.path("tenant").asText("default");
            String service = span.path("service").asText("unknown");
            boolean tenantOnSpan = dialect == 1;
            ResourceSpans.Builder resource = resources.computeIfAbsent(tenant + "|" + service + "|" + tenantOnSpan, key -> {
                Resource.Builder r = Resource.newBuilder().addAttributes(attr("service.name", service))
                        .addAttributes(attr("cloud.provider", "aws"));
                if (!tenantOnSpan) {
                    r.addAttributes(attr("cloud.account.id", tenant));
                }
                return ResourceSpans.newBuilder().setResource(r).addScopeSpans(ScopeSpans.newBuilder()
                        .setScope(InstrumentationScope.newBuilder().setName("tracestitch.test.encoder")));
            });
            Span.Builder otlp = span(span, dialect);
            if (tenantOnSpan) {
                otlp.addAttributes(attr("cloud.account.id", tenant));
            }
            resource.getScopeSpansBuilder(0).addSpans(otlp);
        }
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        resources.values().forEach(request::addResourceSpans);
        return request.build();
    }

    private static Span.Builder span(JsonNode s, int dialect) {
        boolean old = dialect == 1;
        Span.Builder span = Span.newBuilder()
                .setTraceId(id(s.path("traceId").asText()))
                .setSpanId(id(s.path("spanId").asText()))
                .setName(s.path("name").asText(""))
                .setKind(kind(s.path("kind").asText("internal")))
                .setStartTimeUnixNano(nanos(s.path("startMs")))
                .setEndTimeUnixNano(nanos(s.path("endMs")));
        String parent = s.path("parentSpanId").asText("");
        if (!parent.isEmpty()) {
            span.setParentSpanId(id(parent));
        }
        if ("error".equalsIgnoreCase(s.path("status").asText())) {
            span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
        }
        String requestId = s.path("requestId").asText("");
        if (!requestId.isEmpty()) {
            span.addAttributes(attr(old ? "faas.execution" : "faas.invocation_id", requestId));
        }
        List<JsonNode> messages = new ArrayList<>();
        s.path("messages").forEach(messages::add);
        if (messages.size() == 1 && dialect != 2) {
            messageAttributes(messages.get(0), dialect, true).forEach(span::addAttributes);
        } else {
            // A batch: the span names what its messages share, each link what is its own.
            for (JsonNode message : messages) {
                span.addLinks(Span.Link.newBuilder().addAllAttributes(messageAttributes(message, dialect, false)));
            }
        }
        for (JsonNode link : s.path("links")) {
            Span.Link.Builder l = Span.Link.newBuilder().setTraceId(id(link.path("traceId").asText()));
            String linkedSpan = link.path("spanId").asText("");
            if (!linkedSpan.isEmpty()) {
                l.setSpanId(id(linkedSpan));
            }
            span.addLinks(l);
        }
        s.path("attributes").fields().forEachRemaining(field -> span.addAttributes(attr(field.getKey(),
                field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString())));
        return span;
    }

    private static List<KeyValue> messageAttributes(JsonNode message, int dialect, boolean onSpan) {
        boolean old = dialect == 1;
        String system = message.path("system").asText();
        String id = message.path("id").asText();
        String destination = message.path("destination").asText("");
        List<KeyValue> attributes = new ArrayList<>();
        attributes.add(attr("messaging.system", spelling(system, dialect)));
        String operation = message.path("operation").asText();
        attributes.add(old ? attr("messaging.operation", operation)
                : attr("messaging.operation.type", "publish".equals(operation) ? "send" : "process"));
        if (!destination.isEmpty()) {
            attributes.add(attr(old ? "messaging.destination" : "messaging.destination.name", destination));
        }
        int colon = id.indexOf(':');
        if ("kinesis".equals(system) && colon > 0 && onSpan == (dialect != 3)) {
            // The project's convention: ShardId as the partition, the sequence number as the message id.
            attributes.add(attr("messaging.destination.partition.id", id.substring(0, colon)));
            attributes.add(attr("messaging.message.id", id.substring(colon + 1)));
        } else {
            attributes.add(attr("messaging.message.id", id));
        }
        return attributes;
    }

    /** The spellings instrumentations use for a system (Destinations normalises them all). */
    private static String spelling(String system, int dialect) {
        return switch (system) {
            case "sqs" -> dialect % 2 == 0 ? "aws_sqs" : "aws.sqs";
            case "sns" -> dialect % 2 == 0 ? "aws.sns" : "aws_sns";
            case "kinesis" -> dialect % 2 == 0 ? "aws_kinesis" : "aws.kinesis";
            case "eventbridge" -> dialect % 2 == 0 ? "aws.eventbridge" : "aws_events";
            default -> system;
        };
    }

    private static Span.SpanKind kind(String kind) {
        return switch (kind) {
            case "server" -> Span.SpanKind.SPAN_KIND_SERVER;
            case "client" -> Span.SpanKind.SPAN_KIND_CLIENT;
            case "producer" -> Span.SpanKind.SPAN_KIND_PRODUCER;
            case "consumer" -> Span.SpanKind.SPAN_KIND_CONSUMER;
            default -> Span.SpanKind.SPAN_KIND_INTERNAL;
        };
    }

    /** Exact: the decimal milliseconds as written, moved six places (a double product would be off by ~100 ns). */
    private static long nanos(JsonNode ms) {
        return new BigDecimal(ms.asText()).movePointRight(6).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    private static ByteString id(String hex) {
        return ByteString.copyFrom(HEX.parseHex(hex));
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }
}
