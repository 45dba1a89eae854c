package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.PlatformLine;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Turns one input record, a line of UTF-8 JSON without its line end, into spans and Lambda platform
 * log facts, or a dead letter with a reason. Accepts native span and log records and CloudWatch Logs
 * subscription messages (decompressed). Lines that are valid but carry nothing to stitch (application
 * log output, control messages, blank lines) are reported as ignored, never as dead letters. Field
 * order does not matter, and a record is judged only by the fields its kind reads: whatever a log
 * record holds in {@code messages}, say, is ignored like any unknown field.
 */
public final class RecordParser {

    /** The longest record read, in UTF-8 bytes without its line end. */
    public static final int MAX_LINE_BYTES = 1 << 20;
    public static final int MAX_ID_CHARS = 256;
    public static final String DEFAULT_TENANT = "default";
    /**
     * Accepted times, epoch milliseconds: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Beyond
     * about 9.2e15 ms the output's microsecond arithmetic overflows, and event times beyond 2^63 ms
     * collide with the final watermark.
     */
    public static final double MIN_TIME_MS = 0;
    public static final double MAX_TIME_MS = 253_402_300_799_999d;
    private static final int MAX_NESTING_DEPTH = 64;
    private static final int MAX_NUMBER_CHARS = 1000;
    private static final int MAX_FIELD_NAME_CHARS = 50_000;

    public static final String LINE_TOO_LONG = "line-too-long";
    public static final String INVALID_ENCODING = "invalid-encoding";

    // The fields each kind of record reads; a problem in any other field does not concern it.
    private static final Set<String> KIND_FIELDS = Set.of("type", "messageType");
    private static final Set<String> SPAN_FIELDS = Set.of("type", "messageType", "tenant", "traceId", "spanId",
            "parentSpanId", "service", "name", "kind", "status", "requestId", "startMs", "endMs", "messages", "links",
            "attributes");
    private static final Set<String> LOG_FIELDS = Set.of("type", "messageType", "tenant", "function", "timestampMs",
            "message");
    private static final Set<String> SUBSCRIPTION_FIELDS = Set.of("type", "messageType", "owner", "logGroup",
            "logEvents");
    private static final List<String> NESTED_FIELDS = List.of("message.system", "message.operation",
            "message.destination", "message.id", "link.traceId", "link.spanId", "logEvents.timestamp",
            "logEvents.message");
    private static final List<String> ID_FIELDS = List.of("tenant", "owner", "traceId", "spanId", "parentSpanId",
            "requestId", "message.system", "message.id", "link.traceId", "link.spanId");
    private static final List<String> REQUIRED_FIELDS = List.of("traceId", "spanId", "startMs", "endMs", "timestampMs",
            "message", "logEvents", "message.id", "link.traceId", "logEvents.timestamp", "logEvents.message");

    /** Every dead-letter reason this parser gives; the README's dead-letter table lists them. */
    public static final Set<String> REASONS = reasons();

    /** Receives what one line yields. */
    public interface Output {
        void span(Span span);

        void log(LogFact log);

        void deadLetter(DeadLetter deadLetter);

        /** A valid line (or log event) with nothing to stitch. */
        void ignored();
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .maxNameLength(MAX_FIELD_NAME_CHARS)
                    .build())
            // Every span has two millisecond timestamps; the JDK's double parsing was ~7% of parsing.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final ObjectMapper ATTRIBUTES = new ObjectMapper(JSON);
    private static final MessageRef[] NO_MESSAGES = new MessageRef[0];
    private static final SpanLink[] NO_LINKS = new SpanLink[0];

    /** Thrown inside the parser for a line (or an OTLP span) it cannot use: the dead letter's reason and detail. */
    static final class Invalid extends Exception {
        final String reason;
        final String detail;

        Invalid(String reason) {
            this(reason, null);
        }

        Invalid(String reason, String detail) {
            super(reason, null, false, false);
            assert REASONS.contains(reason) || OtlpParser.REASONS.contains(reason)
                    : "a dead-letter reason missing from REASONS: " + reason;
            this.reason = reason;
            this.detail = detail;
        }
    }

    /** One record: a line of UTF-8 without its line end. */
    public void parse(byte[] line, Output out) {
        parse(line, MAX_LINE_BYTES, out);
    }

    /**
     * One record of up to {@code maxBytes} rather than a line's {@link #MAX_LINE_BYTES}: a CloudWatch
     * Logs subscription message decompressed from a Kinesis record may be larger than a line
     * ({@link CloudWatchLogsDecoder#MAX_DECOMPRESSED_BYTES}).
     */
    public void parse(byte[] line, int maxBytes, Output out) {
        if (line.length > maxBytes) {
            out.deadLetter(maxBytes == MAX_LINE_BYTES ? lineTooLong(line.length, line, line.length)
                    : DeadLetter.of(LINE_TOO_LONG, line.length + " bytes, over the limit of " + maxBytes, line, line.length));
            return;
        }
        try {
            Fields f = read(line);
            if (f == null) {
                out.ignored();
                return;
            }
            emit(f, out);
        } catch (Invalid e) {
            out.deadLetter(DeadLetter.of(e.reason, e.detail, line, line.length));
        }
    }

    /** The dead letter of a line over {@link #MAX_LINE_BYTES}: its length and (at least) its first bytes. */
    public static DeadLetter lineTooLong(long length, byte[] head, int headLength) {
        return DeadLetter.of(LINE_TOO_LONG, length + " bytes, over the limit of " + MAX_LINE_BYTES, head, headLength);
    }

    /** The fields of one line, or null for a blank line. */
    private static Fields read(byte[] line) throws Invalid {
        if (Utf8.isBlank(line)) {
            return null;
        }
        int invalid = Utf8.firstInvalid(line);
        if (invalid >= 0) {
            throw new Invalid(INVALID_ENCODING, "not valid UTF-8 at byte " + invalid);
        }
        if (startsLikeAnotherEncoding(line)) {
            throw new Invalid("malformed-json", "starts with a byte-order mark or a NUL byte");
        }
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Invalid("not-a-json-object");
            }
            Fields f = readFields(p);
            if (hasTrailingContent(p)) {
                throw new Invalid("trailing-content");
            }
            return f;
        } catch (StreamConstraintsException e) {
            throw overLimit(e);
        } catch (IOException e) {
            throw new Invalid("malformed-json", e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage());
        } catch (RuntimeException e) {
            throw new Invalid("malformed-json", e.toString()); // whatever a library makes of bad input, it is a dead letter
        }
    }

    /**
     * Jackson guesses the encoding of bytes: it skips a leading byte-order mark and reads UTF-16 or
     * UTF-32 when one of the first two bytes is NUL. In UTF-8 JSON neither can start a line, and a
     * byte-order mark inside a file is content, not an encoding.
     */
    private static boolean startsLikeAnotherEncoding(byte[] line) {
        return line[0] == 0 || (line.length > 1 && line[1] == 0)
                || (line.length > 2 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF);
    }

    private static boolean hasTrailingContent(JsonParser p) {
        try {
            return p.nextToken() != null;
        } catch (IOException e) {
            return true; // what follows the object is not even JSON
        }
    }

    /** Jackson's read limits that a line of at most {@link #MAX_LINE_BYTES} can reach, told apart by the limit named. */
    private static Invalid overLimit(StreamConstraintsException e) {
        String limit = e.getMessage();
        if (limit.contains("getMaxNestingDepth")) {
            return new Invalid("too-deeply-nested", "nested deeper than " + MAX_NESTING_DEPTH + " levels");
        }
        if (limit.contains("getMaxNumberLength")) {
            return new Invalid("number-too-long", "a number longer than " + MAX_NUMBER_CHARS + " characters");
        }
        if (limit.contains("getMaxNameLength")) {
            return new Invalid("field-name-too-long", "a field name longer than " + MAX_FIELD_NAME_CHARS + " characters");
        }
        return new Invalid("malformed-json", e.getOriginalMessage());
    }

    private static Set<String> reasons() {
        Set<String> reasons = new TreeSet<>(List.of(LINE_TOO_LONG, INVALID_ENCODING, "malformed-json",
                "too-deeply-nested", "number-too-long", "field-name-too-long", "not-a-json-object", "trailing-content",
                "missing-type", "unknown-type", "unknown-message-type", "invalid-time", "incomplete-message",
                "unknown-message-operation", "oversized-message.destination"));
        REQUIRED_FIELDS.forEach(field -> reasons.add("missing-" + field));
        Stream.<Collection<String>>of(SPAN_FIELDS, LOG_FIELDS, SUBSCRIPTION_FIELDS, NESTED_FIELDS).flatMap(Collection::stream)
                .forEach(field -> reasons.add("wrong-type-" + field));
        for (String id : ID_FIELDS) {
            reasons.add("oversized-" + id);
            reasons.add("invalid-" + id);
        }
        return Collections.unmodifiableSet(reasons);
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
        /** Fields whose value could not be read, in line order; null while there are none (nearly always). */
        List<Problem> problems;

        void problem(String field, Invalid invalid) {
            if (problems == null) {
                problems = new ArrayList<>(1);
            }
            problems.add(new Problem(field, invalid));
        }

        /** Throws the first problem in a field that a record of this kind reads. */
        void checkFields(Set<String> kindFields) throws Invalid {
            if (problems == null) {
                return;
            }
            for (Problem problem : problems) {
                if (kindFields.contains(problem.field())) {
                    throw problem.invalid();
                }
            }
        }
    }

    private record Problem(String field, Invalid invalid) {}

    private record RawMessage(String system, String operation, String destination, String id) {}

    private record RawLogEvent(double timestamp, String message) {}

    private static Fields readFields(JsonParser p) throws IOException, Invalid {
        Fields f = new Fields();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            try {
                readField(p, field, f);
            } catch (Invalid problem) {
                // Whether it matters depends on the record's kind, which a later field may give.
                skipRestOfValue(p);
                f.problem(field, problem);
            }
        }
        return f;
    }

    private static void readField(JsonParser p, String field, Fields f) throws IOException, Invalid {
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
    }

    /** After a problem somewhere inside a field's value: on to the value's last token, ready for the next field. */
    private static void skipRestOfValue(JsonParser p) throws IOException {
        if (p.currentToken().isStructStart()) {
            p.skipChildren();
        }
        while (p.getParsingContext().getNestingDepth() > 1) { // 1: directly inside the line's object
            if (p.nextToken().isStructStart()) {
                p.skipChildren();
            }
        }
    }

    private static void emit(Fields f, Output out) throws Invalid {
        f.checkFields(KIND_FIELDS);
        if (f.messageType != null) {
            emitSubscriptionMessage(f, out);
            return;
        }
        if (f.type == null) {
            throw new Invalid("missing-type");
        }
        switch (f.type) {
            case "span" -> {
                f.checkFields(SPAN_FIELDS);
                out.span(span(f));
            }
            case "log" -> {
                f.checkFields(LOG_FIELDS);
                emitLog(tenantOf(f.tenant, "tenant"), f.function, time(f.timestampMs, "timestampMs"),
                        required(f.message, "message"), out);
            }
            default -> throw new Invalid("unknown-type");
        }
    }

    private static Span span(Fields f) throws Invalid {
        String tenant = tenantOf(f.tenant, "tenant");
        String traceId = id(f.traceId, "traceId");
        String spanId = id(f.spanId, "spanId");
        String parent = optionalId(f.parentSpanId, "parentSpanId");
        double start = time(f.startMs, "startMs");
        double end = time(f.endMs, "endMs");
        if (end < start) {
            throw new Invalid("invalid-time", "endMs " + plain(end) + " is before startMs " + plain(start));
        }
        MessageRef[] messages = NO_MESSAGES;
        if (f.messages != null && !f.messages.isEmpty()) {
            messages = new MessageRef[f.messages.size()];
            for (int i = 0; i < messages.length; i++) {
                RawMessage m = f.messages.get(i);
                Boolean publish = publishes(m.operation());
                if (publish == null) {
                    throw new Invalid("unknown-message-operation");
                }
                messages[i] = MessageRef.of(tenant, m.system(), publish, m.destination(), m.id());
            }
        }
        SpanLink[] links = f.links == null || f.links.isEmpty() ? NO_LINKS : f.links.toArray(NO_LINKS);
        return new Span(tenant, traceId, spanId, parent,
                f.service == null ? "unknown" : f.service,
                f.name == null ? "" : f.name,
                f.kind == null ? "internal" : f.kind.toLowerCase(Locale.ROOT),
                start, end, "error".equalsIgnoreCase(f.status), optionalId(f.requestId, "requestId"), messages, links,
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

    private static void emitSubscriptionMessage(Fields f, Output out) throws Invalid {
        if ("CONTROL_MESSAGE".equals(f.messageType)) {
            out.ignored();
            return;
        }
        if (!"DATA_MESSAGE".equals(f.messageType)) {
            throw new Invalid("unknown-message-type");
        }
        f.checkFields(SUBSCRIPTION_FIELDS);
        String tenant = tenantOf(f.owner, "owner");
        String function = functionOfLogGroup(f.logGroup);
        for (RawLogEvent event : required(f.logEvents, "logEvents")) {
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

    static String tenantOf(String tenant, String field) throws Invalid {
        if (tenant == null || tenant.isEmpty()) {
            return DEFAULT_TENANT;
        }
        return id(tenant, field);
    }

    /** An id that may be absent: null or {@code ""} means none. */
    static String optionalId(String value, String field) throws Invalid {
        return value == null || value.isEmpty() ? null : id(value, field);
    }

    static String id(String value, String field) throws Invalid {
        if (value == null || value.isEmpty()) {
            throw new Invalid("missing-" + field);
        }
        if (value.length() > MAX_ID_CHARS) {
            throw new Invalid("oversized-" + field);
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) { // C0, DEL and C1
                throw new Invalid("invalid-" + field);
            }
        }
        return value;
    }

    /** A message reference's destination, which may be absent: longer than an id, since it may be a URL or ARN. */
    static String destination(String destination) throws Invalid {
        if (destination != null && destination.length() > 2 * MAX_ID_CHARS) {
            throw new Invalid("oversized-message.destination");
        }
        return destination;
    }

    /** True for an operation that publishes, false for one that receives, null for any other (lower case). */
    static Boolean publishes(String operation) {
        return switch (operation) {
            case "publish", "send", "create" -> true;
            case "receive", "process", "deliver" -> false;
            default -> null;
        };
    }

    private static <T> T required(T value, String field) throws Invalid {
        if (value == null) {
            throw new Invalid("missing-" + field);
        }
        return value;
    }

    /** A required time within {@link #MIN_TIME_MS}..{@link #MAX_TIME_MS}. */
    static double time(Double value, String field) throws Invalid {
        double t = required(value, field);
        if (t >= MIN_TIME_MS && t <= MAX_TIME_MS) {
            return t;
        }
        throw new Invalid("invalid-time", outOfRange(field, t));
    }

    /** What is wrong with a time outside the accepted range, with a hint when it looks like another unit. */
    static String outOfRange(String field, double t) {
        if (!Double.isFinite(t)) {
            return field + " is not a finite number";
        }
        String given = field + " " + plain(t);
        if (t < MIN_TIME_MS) {
            return given + " is before 1970-01-01T00:00:00Z";
        }
        String unit = t >= 1e17 && t < 1e20 ? ": looks like epoch nanoseconds, divide by 1000000"
                : t >= 1e15 && t < 1e17 ? ": looks like epoch microseconds, divide by 1000" : "";
        return given + " is after 9999-12-31T23:59:59.999Z" + unit;
    }

    static String plain(double value) {
        return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
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
            messages.add(new RawMessage(id(system, "message.system"), operation.toLowerCase(Locale.ROOT),
                    destination(destination), id(id, "message.id")));
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
            links.add(new SpanLink(id(traceId, "link.traceId"), optionalId(spanId, "link.spanId")));
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
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
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
            // Checked here, before any event of the message is handed on: one bad event rejects them all.
            events.add(new RawLogEvent(time(timestamp, "logEvents.timestamp"), required(message, "logEvents.message")));
        }
        if (p.currentToken() != JsonToken.END_ARRAY) {
            throw new Invalid("wrong-type-logEvents");
        }
        return events;
    }
}
