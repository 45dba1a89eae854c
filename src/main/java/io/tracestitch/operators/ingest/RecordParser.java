package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.PlatformLine;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one input line into spans and Lambda platform log facts, or a dead letter with a reason.
 * Accepts native span and log records and CloudWatch Logs subscription messages (decompressed).
 * Lines that are valid but carry nothing to stitch (application log output, control messages) are
 * reported as ignored, never as dead letters. Field order does not matter.
 */
public final class RecordParser {

    public static final int MAX_LINE_CHARS = 1 << 20;
    public static final int MAX_ID_CHARS = 256;
    public static final String DEFAULT_TENANT = "default";

    /** Receives what one line yields. */
    public interface Output {
        void span(Span span);

        void log(LogFact log);

        void deadLetter(DeadLetter deadLetter);

        /** A valid line (or log event) with nothing to stitch. */
        void ignored();
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            // Every span has two millisecond timestamps; the JDK's double parsing was ~7% of parsing.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final ObjectMapper ATTRIBUTES = new ObjectMapper(JSON);
    private static final MessageRef[] NO_MESSAGES = new MessageRef[0];
    private static final SpanLink[] NO_LINKS = new SpanLink[0];

    /** Thrown inside the parser for input that is JSON but not a valid record. */
    private static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    public void parse(String line, Output out) {
        if (line.length() > MAX_LINE_CHARS) {
            out.deadLetter(DeadLetter.of("line-too-long", line));
            return;
        }
        if (line.isBlank()) {
            out.ignored();
            return;
        }
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                out.deadLetter(DeadLetter.of("not-a-json-object", line));
                return;
            }
            Fields f = readFields(p);
            if (p.nextToken() != null) {
                out.deadLetter(DeadLetter.of("trailing-content", line));
                return;
            }
            emit(f, line, out);
        } catch (Invalid e) {
            out.deadLetter(DeadLetter.of(e.getMessage(), line));
        } catch (IOException | RuntimeException e) {
            out.deadLetter(DeadLetter.of("malformed-json", line));
        }
    }

    /** All fields any record kind may carry; which ones must be present depends on the kind. */
    private static final class Fields {
        String type;
        String messageType;
        String tenant;
        String owner;
        String traceId;
        String spanId;
        String parentSpanId;
        String service;
        String name;
        String kind;
        String status;
        String requestId;
        String function;
        String logGroup;
        String message;
        Double startMs;
        Double endMs;
        Double timestampMs;
        List<RawMessage> messages;
        List<SpanLink> links;
        String attributesJson;
        List<RawLogEvent> logEvents;
    }

    private record RawMessage(String system, String operation, String destination, String id) {}

    private record RawLogEvent(Double timestamp, String message) {}

    private static Fields readFields(JsonParser p) throws IOException, Invalid {
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "type" -> f.type = text(p, field);
                case "messageType" -> f.messageType = text(p, field);
                case "tenant" -> f.tenant = text(p, field);
                case "owner" -> f.owner = text(p, field);
                case "traceId" -> f.traceId = text(p, field);
                case "spanId" -> f.spanId = text(p, field);
                case "parentSpanId" -> f.parentSpanId = text(p, field);
                case "service" -> f.service = text(p, field);
                case "name" -> f.name = text(p, field);
                case "kind" -> f.kind = text(p, field);
                case "status" -> f.status = text(p, field);
                case "requestId" -> f.requestId = text(p, field);
                case "function" -> f.function = text(p, field);
                case "logGroup" -> f.logGroup = text(p, field);
                case "message" -> f.message = text(p, field);
                case "startMs" -> f.startMs = number(p, field);
                case "endMs" -> f.endMs = number(p, field);
                case "timestampMs" -> f.timestampMs = number(p, field);
                case "messages" -> f.messages = messages(p);
                case "links" -> f.links = links(p);
                case "attributes" -> f.attributesJson = attributes(p);
                case "logEvents" -> f.logEvents = logEvents(p);
                default -> p.skipChildren();
            }
            if (value == null) {
                throw new Invalid("malformed-json");
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw new Invalid("malformed-json");
        }
        return f;
    }

    private void emit(Fields f, String line, Output out) throws Invalid {
        if (f.messageType != null) {
            emitSubscriptionMessage(f, out);
            return;
        }
        if (f.type == null) {
            throw new Invalid("missing-type");
        }
        switch (f.type) {
            case "span" -> out.span(span(f));
            case "log" -> emitLog(tenantOf(f.tenant), f.function, required(f.timestampMs, "timestampMs"),
                    required(f.message, "message"), out);
            default -> throw new Invalid("unknown-type");
        }
    }

    private static Span span(Fields f) throws Invalid {
        String tenant = tenantOf(f.tenant);
        String traceId = id(f.traceId, "traceId");
        String spanId = id(f.spanId, "spanId");
        String parent = f.parentSpanId == null || f.parentSpanId.isEmpty() ? null : id(f.parentSpanId, "parentSpanId");
        double start = required(f.startMs, "startMs");
        double end = required(f.endMs, "endMs");
        if (!Double.isFinite(start) || !Double.isFinite(end) || end < start) {
            throw new Invalid("invalid-time");
        }
        MessageRef[] messages = NO_MESSAGES;
        if (f.messages != null && !f.messages.isEmpty()) {
            messages = new MessageRef[f.messages.size()];
            for (int i = 0; i < messages.length; i++) {
                RawMessage m = f.messages.get(i);
                boolean publish = switch (m.operation()) {
                    case "publish", "send", "create" -> true;
                    case "receive", "process", "deliver" -> false;
                    default -> throw new Invalid("unknown-message-operation");
                };
                messages[i] = MessageRef.of(tenant, m.system(), publish, m.destination(), m.id());
            }
        }
        SpanLink[] links = f.links == null || f.links.isEmpty() ? NO_LINKS : f.links.toArray(NO_LINKS);
        String requestId = f.requestId == null || f.requestId.isEmpty() ? null : id(f.requestId, "requestId");
        return new Span(tenant, traceId, spanId, parent,
                f.service == null ? "unknown" : f.service,
                f.name == null ? "" : f.name,
                f.kind == null ? "internal" : f.kind.toLowerCase(java.util.Locale.ROOT),
                start, end, "error".equalsIgnoreCase(f.status), requestId, messages, links,
                f.attributesJson == null ? "{}" : f.attributesJson);
    }

    private static void emitLog(String tenant, String function, double timestampMs, String message, Output out) {
        PlatformLine line = LambdaLogParser.parse(message);
        if (line == null || line.requestId() == null || line.requestId().length() > MAX_ID_CHARS) {
            out.ignored();
            return;
        }
        out.log(new LogFact(tenant, function, (long) timestampMs, line));
    }

    private void emitSubscriptionMessage(Fields f, Output out) throws Invalid {
        if ("CONTROL_MESSAGE".equals(f.messageType)) {
            out.ignored();
            return;
        }
        if (!"DATA_MESSAGE".equals(f.messageType)) {
            throw new Invalid("unknown-message-type");
        }
        String tenant = tenantOf(f.owner);
        String function = functionOfLogGroup(f.logGroup);
        if (f.logEvents == null) {
            throw new Invalid("missing-logEvents");
        }
        for (RawLogEvent event : f.logEvents) {
            emitLog(tenant, function, event.timestamp(), event.message(), out);
        }
    }

    /** {@code /aws/lambda/<function>} is Lambda's default log group; a custom group names itself. */
    static String functionOfLogGroup(String logGroup) {
        if (logGroup == null) {
            return null;
        }
        return logGroup.startsWith("/aws/lambda/") ? logGroup.substring("/aws/lambda/".length()) : logGroup;
    }

    private static String tenantOf(String tenant) throws Invalid {
        if (tenant == null || tenant.isEmpty()) {
            return DEFAULT_TENANT;
        }
        return id(tenant, "tenant");
    }

    private static String id(String value, String field) throws Invalid {
        if (value == null || value.isEmpty()) {
            throw new Invalid("missing-" + field);
        }
        if (value.length() > MAX_ID_CHARS) {
            throw new Invalid("oversized-" + field);
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < ' ') {
                throw new Invalid("invalid-" + field);
            }
        }
        return value;
    }

    private static <T> T required(T value, String field) throws Invalid {
        if (value == null) {
            throw new Invalid("missing-" + field);
        }
        return value;
    }

    private static String text(JsonParser p, String field) throws IOException, Invalid {
        return switch (p.currentToken()) {
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            default -> throw new Invalid("wrong-type-" + field);
        };
    }

    private static Double number(JsonParser p, String field) throws IOException, Invalid {
        return switch (p.currentToken()) {
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_NULL -> null;
            default -> throw new Invalid("wrong-type-" + field);
        };
    }

    private static List<RawMessage> messages(JsonParser p) throws IOException, Invalid {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Invalid("wrong-type-messages");
        }
        List<RawMessage> messages = new ArrayList<>(2);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String system = null, operation = null, destination = null, id = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "system" -> system = text(p, "message.system");
                    case "operation" -> operation = text(p, "message.operation");
                    case "destination" -> destination = text(p, "message.destination");
                    case "id" -> id = text(p, "message.id");
                    default -> p.skipChildren();
                }
            }
            if (system == null || system.isEmpty() || operation == null) {
                throw new Invalid("incomplete-message");
            }
            if (destination != null && destination.length() > 2 * MAX_ID_CHARS) {
                throw new Invalid("oversized-message.destination");
            }
            messages.add(new RawMessage(id(system, "message.system"), operation.toLowerCase(java.util.Locale.ROOT),
                    destination, id(id, "message.id")));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new Invalid("wrong-type-messages");
        }
        return messages;
    }

    private static List<SpanLink> links(JsonParser p) throws IOException, Invalid {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Invalid("wrong-type-links");
        }
        List<SpanLink> links = new ArrayList<>(1);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String traceId = null, spanId = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "traceId" -> traceId = text(p, "link.traceId");
                    case "spanId" -> spanId = text(p, "link.spanId");
                    default -> p.skipChildren();
                }
            }
            links.add(new SpanLink(id(traceId, "link.traceId"), spanId == null ? null : id(spanId, "link.spanId")));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new Invalid("wrong-type-links");
        }
        return links;
    }

    private static String attributes(JsonParser p) throws IOException, Invalid {
        return switch (p.currentToken()) {
            case VALUE_NULL -> null;
            case START_OBJECT -> {
                if (p.nextToken() == JsonToken.END_OBJECT) {
                    yield null; // the common empty object: no need to keep a copy
                }
                // Rare: copy the object verbatim. Re-reading from its start is simplest via a tree.
                com.fasterxml.jackson.databind.node.ObjectNode node = ATTRIBUTES.createObjectNode();
                while (p.currentToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    node.set(field, ATTRIBUTES.readTree(p));
                    p.nextToken();
                }
                yield node.toString();
            }
            default -> throw new Invalid("wrong-type-attributes");
        };
    }

    private static List<RawLogEvent> logEvents(JsonParser p) throws IOException, Invalid {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new Invalid("wrong-type-logEvents");
        }
        List<RawLogEvent> events = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            Double timestamp = null;
            String message = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "timestamp" -> timestamp = number(p, "logEvents.timestamp");
                    case "message" -> message = text(p, "logEvents.message");
                    default -> p.skipChildren();
                }
            }
            events.add(new RawLogEvent(required(timestamp, "logEvents.timestamp"), required(message, "logEvents.message")));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new Invalid("wrong-type-logEvents");
        }
        return events;
    }
}
