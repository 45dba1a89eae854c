package io.tracestitch.operators.ingest;

import io.tracestitch.model.Json;

import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The {@code attributes} object of a span read from OTLP: everything the model has no field for.
 * The span's attributes that did not become a model field, as they are; then, under {@code otel.*}
 * names (the ones Jaeger and Zipkin exports use where there is one), its resource's remaining
 * attributes, its instrumentation scope, status, events (exceptions among them), trace state, the
 * links that say more than a model link or message does, and the counts of what the SDK dropped.
 * Span flags are not kept.
 */
final class OtlpAttributes {

    private static final HexFormat HEX = HexFormat.of();

    private OtlpAttributes() {}

    /** A resource's attributes other than {@code skipped}, as a JSON object written once per resource. */
    static String object(List<KeyValue> attributes, Set<String> skipped) {
        return write(g -> {
            g.writeStartObject();
            fields(g, attributes, skipped);
            g.writeEndObject();
        });
    }

    /**
     * @param resourceJson the resource's remaining attributes ({@link #object}), {@code {}} for none
     * @param keptLinks the links a model link and message reference do not fully carry
     */
    static String of(Span span, Set<String> usedKeys, String resourceJson, InstrumentationScope scope,
            List<Span.Link> keptLinks) {
        return write(g -> {
            g.writeStartObject();
            fields(g, span.getAttributesList(), usedKeys);
            if (!"{}".equals(resourceJson)) {
                g.writeFieldName("otel.resource");
                g.writeRawValue(resourceJson);
            }
            stringField(g, "otel.scope.name", scope.getName());
            stringField(g, "otel.scope.version", scope.getVersion());
            Status status = span.getStatus();
            if (status.getCode() != Status.StatusCode.STATUS_CODE_UNSET) {
                g.writeStringField("otel.status_code", status.getCode() == Status.StatusCode.STATUS_CODE_OK ? "OK" : "ERROR");
            }
            stringField(g, "otel.status_description", status.getMessage());
            stringField(g, "otel.trace_state", span.getTraceState());
            if (span.getEventsCount() > 0) {
                g.writeArrayFieldStart("otel.events");
                for (Span.Event event : span.getEventsList()) {
                    g.writeStartObject();
                    g.writeStringField("name", event.getName());
                    g.writeFieldName("timeMs");
                    Json.writeMillis(g, Long.divideUnsigned(event.getTimeUnixNano(), 1_000_000)
                            + Long.remainderUnsigned(event.getTimeUnixNano(), 1_000_000) / 1e6);
                    attributesField(g, event.getAttributesList());
                    count(g, "droppedAttributesCount", event.getDroppedAttributesCount());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (!keptLinks.isEmpty()) {
                g.writeArrayFieldStart("otel.links");
                for (Span.Link link : keptLinks) {
                    g.writeStartObject();
                    g.writeStringField("traceId", HEX.formatHex(link.getTraceId().toByteArray()));
                    g.writeStringField("spanId", HEX.formatHex(link.getSpanId().toByteArray()));
                    stringField(g, "traceState", link.getTraceState());
                    attributesField(g, link.getAttributesList());
                    count(g, "droppedAttributesCount", link.getDroppedAttributesCount());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            count(g, "otel.dropped_attributes_count", span.getDroppedAttributesCount());
            count(g, "otel.dropped_events_count", span.getDroppedEventsCount());
            count(g, "otel.dropped_links_count", span.getDroppedLinksCount());
            g.writeEndObject();
        });
    }

    private interface Writing {
        void to(JsonGenerator g) throws IOException;
    }

    private static String write(Writing writing) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
            writing.to(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen: it writes to memory
        }
        return out.toString();
    }

    /** The attributes not skipped; of a repeated key the first, as the SDKs keep it (JSON objects have unique names). */
    private static void fields(JsonGenerator g, List<KeyValue> attributes, Set<String> skipped) throws IOException {
        Set<String> written = new HashSet<>();
        for (KeyValue kv : attributes) {
            if (!skipped.contains(kv.getKey()) && written.add(kv.getKey())) {
                g.writeFieldName(kv.getKey());
                value(g, kv.getValue());
            }
        }
    }

    private static void attributesField(JsonGenerator g, List<KeyValue> attributes) throws IOException {
        if (!attributes.isEmpty()) {
            g.writeObjectFieldStart("attributes");
            fields(g, attributes, Set.of());
            g.writeEndObject();
        }
    }

    /** An attribute value as JSON: bytes as Base64, a non-finite double as its name, no value as null. */
    private static void value(JsonGenerator g, AnyValue value) throws IOException {
        switch (value.getValueCase()) {
            case STRING_VALUE -> g.writeString(value.getStringValue());
            case BOOL_VALUE -> g.writeBoolean(value.getBoolValue());
            case INT_VALUE -> g.writeNumber(value.getIntValue());
            case DOUBLE_VALUE -> {
                double d = value.getDoubleValue();
                if (Double.isFinite(d)) {
                    g.writeNumber(d);
                } else {
                    g.writeString(Double.toString(d));
                }
            }
            case BYTES_VALUE -> g.writeString(Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray()));
            case ARRAY_VALUE -> {
                g.writeStartArray();
                for (AnyValue element : value.getArrayValue().getValuesList()) {
                    value(g, element);
                }
                g.writeEndArray();
            }
            case KVLIST_VALUE -> {
                g.writeStartObject();
                fields(g, value.getKvlistValue().getValuesList(), Set.of());
                g.writeEndObject();
            }
            default -> g.writeNull();
        }
    }

    private static void stringField(JsonGenerator g, String name, String value) throws IOException {
        if (!value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }

    private static void count(JsonGenerator g, String name, int count) throws IOException {
        if (count > 0) {
            g.writeNumberField(name, count);
        }
    }
}
