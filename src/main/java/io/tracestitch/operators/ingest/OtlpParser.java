package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.Destinations;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import io.tracestitch.operators.ingest.RecordParser.Invalid;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns one OTLP trace export ({@code ExportTraceServiceRequest}, or {@code TracesData}: the same
 * wire shape) in protobuf or OTLP/JSON into spans of the model, by the semantic conventions the
 * README's mapping table lists, old and new attribute names alike. A request that does not decode is
 * one dead letter; a span of a good request that cannot be used is a dead letter of its own (its
 * OTLP/JSON as {@code raw}) and the rest are kept. What the model has no field for stays in the
 * span's {@code attributes}.
 */
public final class OtlpParser {

    /**
     * The largest request read, in bytes (8 MiB). The Collector's Kafka exporter writes at most 1 MB
     * by default (Kafka's own default record limit), and its file exporter writes a batch per line:
     * 8 MiB leaves room for batches of several thousand spans, and bounds what one record may hold.
     */
    public static final int MAX_REQUEST_BYTES = 8 << 20;

    public static final String MALFORMED = "malformed-otlp";
    public static final String TOO_LARGE = "otlp-too-large";
    public static final String TRUNCATED = "truncated-otlp";
    public static final String INVALID_ID = "invalid-otlp-id";
    /** Every reason of its own an OTLP input gives; the README's dead-letter table lists them. */
    public static final Set<String> REASONS = Collections.unmodifiableSet(
            new TreeSet<>(Set.of(MALFORMED, TOO_LARGE, TRUNCATED, INVALID_ID)));

    private static final int TRACE_ID_BYTES = 16;
    private static final int SPAN_ID_BYTES = 8;
    private static final HexFormat HEX = HexFormat.of();
    private static final MessageRef[] NO_MESSAGES = new MessageRef[0];
    private static final SpanLink[] NO_LINKS = new SpanLink[0];

    // The semantic conventions read, new names first.
    static final String SERVICE_NAME = "service.name";
    static final String FAAS_NAME = "faas.name";
    static final List<String> REQUEST_ID = List.of("faas.invocation_id", "faas.execution");
    static final String SYSTEM = "messaging.system";
    static final List<String> OPERATION = List.of("messaging.operation.type", "messaging.operation");
    static final List<String> DESTINATION = List.of("messaging.destination.name", "messaging.destination");
    static final String PARTITION = "messaging.destination.partition.id";
    static final String MESSAGE_ID = "messaging.message.id";
    /** Where instrumentations name the resource when they set no messaging.destination.name, and the system it implies. */
    static final Map<String, String> AWS_DESTINATIONS = orderedMap(
            "aws.sqs.queue.url", "aws_sqs", "aws.queue_url", "aws_sqs", "aws.sns.topic.arn", "aws.sns",
            "aws.kinesis.stream_name", "aws_kinesis", "aws.kinesis.stream.name", "aws_kinesis");
    private static final List<String> AWS_DESTINATION_KEYS = List.copyOf(AWS_DESTINATIONS.keySet());
    /** ARNs of the function or resource a span ran as: their account is the span's when no attribute names it. */
    static final List<String> OWN_ARNS = List.of("cloud.resource_id", "faas.id", "aws.lambda.invoked_arn");

    private final String tenantAttribute;

    public OtlpParser(String tenantAttribute) {
        this.tenantAttribute = tenantAttribute;
    }

    /** One request of up to {@link #MAX_REQUEST_BYTES}, protobuf or ({@code json}) OTLP/JSON. */
    public void parse(byte[] record, boolean json, RecordParser.Output out) {
        if (record.length > MAX_REQUEST_BYTES) {
            out.deadLetter(tooLarge(record.length, record, record.length, json));
            return;
        }
        if (json && Utf8.isBlank(record)) {
            out.ignored(); // a blank line of a JSON lines file, as in NDJSON
            return;
        }
        ExportTraceServiceRequest request;
        try {
            request = json ? OtlpJson.parse(record) : ExportTraceServiceRequest.parseFrom(record);
        } catch (Exception e) { // whatever a parser makes of bad input, it is a dead letter
            String detail = (json ? "not OTLP/JSON: " : "not an OTLP protobuf request: ") + e.getMessage();
            out.deadLetter(json ? DeadLetter.of(MALFORMED, detail, record, record.length)
                    : DeadLetter.ofBinary(MALFORMED, detail, record, record.length));
            return;
        }
        boolean any = false;
        for (ResourceSpans resource : request.getResourceSpansList()) {
            ResourceContext context = new ResourceContext(resource);
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
                    any = true;
                    try {
                        out.span(span(context, scope, span));
                    } catch (Invalid e) {
                        out.deadLetter(DeadLetter.of(e.reason, e.detail, OtlpJson.print(span)));
                    }
                }
            }
        }
        if (!any) {
            out.ignored(); // an empty export: valid, nothing to stitch
        }
    }

    /**
     * The dead letter of a request of {@code length} bytes, over {@link #MAX_REQUEST_BYTES}, whose
     * first {@code headLength} bytes are in {@code head}: as text for OTLP/JSON, else in Base64.
     */
    public static DeadLetter tooLarge(long length, byte[] head, int headLength, boolean json) {
        String detail = length + " bytes, over the limit of " + MAX_REQUEST_BYTES;
        return json ? DeadLetter.of(TOO_LARGE, detail, head, headLength)
                : DeadLetter.ofBinary(TOO_LARGE, detail, java.util.Arrays.copyOf(head, headLength), length);
    }

    /** What every span of one {@code ResourceSpans} shares, and what its spans tell about each other's tenant. */
    private final class ResourceContext {
        final ResourceSpans resource;
        final Map<String, AnyValue> attributes;
        final String service;
        /** The resource's attributes not used for the service, with and without the tenant attribute. */
        private final String json;
        private final String jsonWithoutTenant;
        /** Per trace id, the tenant a span of it in this resource names, and the account of a span's own ARN. */
        private Map<ByteString, String> namedTenantOfTrace;
        private Map<ByteString, String> arnTenantOfTrace;

        ResourceContext(ResourceSpans resource) {
            this.resource = resource;
            this.attributes = attributes(resource.getResource().getAttributesList());
            Set<String> serviceKeys = new HashSet<>();
            this.service = service(attributes, serviceKeys);
            List<KeyValue> list = resource.getResource().getAttributesList();
            this.json = OtlpAttributes.object(list, serviceKeys);
            serviceKeys.add(tenantAttribute);
            this.jsonWithoutTenant = OtlpAttributes.object(list, serviceKeys);
        }

        String json(boolean tenantUsed) {
            return tenantUsed ? jsonWithoutTenant : json;
        }

        String namedTenantOfTrace(ByteString traceId) {
            indexTraces();
            return namedTenantOfTrace.get(traceId);
        }

        String arnTenantOfTrace(ByteString traceId) {
            indexTraces();
            return arnTenantOfTrace.get(traceId);
        }

        /** Built when a span names no tenant itself: the first of each its trace's spans in this resource name. */
        private void indexTraces() {
            if (namedTenantOfTrace != null) {
                return;
            }
            namedTenantOfTrace = new HashMap<>();
            arnTenantOfTrace = new HashMap<>();
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                for (io.opentelemetry.proto.trace.v1.Span span : scope.getSpansList()) {
                    Map<String, AnyValue> own = attributes(span.getAttributesList());
                    String named = text(own, tenantAttribute);
                    if (named != null) {
                        namedTenantOfTrace.putIfAbsent(span.getTraceId(), named);
                    }
                    String account = accountOfArns(own, OWN_ARNS);
                    if (account != null) {
                        arnTenantOfTrace.putIfAbsent(span.getTraceId(), account);
                    }
                }
            }
        }

        /**
         * The span's tenant attribute, else its resource's, else one another span of its trace in
         * this resource names (the Lambda invocation span carries {@code cloud.account.id}, its
         * children do not), else the account of an ARN that the span, its resource or its trace
         * here runs as, else the account of the resource it sends to or receives from, else none.
         */
        String tenant(io.opentelemetry.proto.trace.v1.Span span, Map<String, AnyValue> spanAttributes, Set<String> used) {
            String own = text(spanAttributes, tenantAttribute);
            if (own != null) {
                used.add(tenantAttribute);
                return own;
            }
            String tenant = text(attributes, tenantAttribute);
            tenant = tenant != null ? tenant : namedTenantOfTrace(span.getTraceId());
            tenant = tenant != null ? tenant : accountOfArns(spanAttributes, OWN_ARNS);
            tenant = tenant != null ? tenant : accountOfArns(attributes, OWN_ARNS);
            tenant = tenant != null ? tenant : arnTenantOfTrace(span.getTraceId());
            tenant = tenant != null ? tenant : accountOfArns(spanAttributes, DESTINATION);
            return tenant != null ? tenant : accountOfArns(spanAttributes, AWS_DESTINATION_KEYS);
        }
    }

    private Span span(ResourceContext context, ScopeSpans scope, io.opentelemetry.proto.trace.v1.Span span)
            throws Invalid {
        Map<String, AnyValue> attributes = attributes(span.getAttributesList());
        Set<String> used = new HashSet<>();
        String traceId = id(span.getTraceId(), TRACE_ID_BYTES, "traceId");
        String spanId = id(span.getSpanId(), SPAN_ID_BYTES, "spanId");
        String parent = span.getParentSpanId().isEmpty() || isZero(span.getParentSpanId()) ? null
                : id(span.getParentSpanId(), SPAN_ID_BYTES, "parentSpanId");
        double start = time(span.getStartTimeUnixNano(), "startTimeUnixNano");
        double end = time(span.getEndTimeUnixNano(), "endTimeUnixNano");
        if (Long.compareUnsigned(span.getEndTimeUnixNano(), span.getStartTimeUnixNano()) < 0) { // exact, unlike the ms
            throw new Invalid("invalid-time", "endTimeUnixNano " + Long.toUnsignedString(span.getEndTimeUnixNano())
                    + " is before startTimeUnixNano " + Long.toUnsignedString(span.getStartTimeUnixNano()));
        }
        String tenant = RecordParser.tenantOf(context.tenant(span, attributes, used), "tenant");
        boolean resourceTenantUsed = !used.contains(tenantAttribute) && text(context.attributes, tenantAttribute) != null;
        String requestId = RecordParser.optionalId(first(attributes, REQUEST_ID, used), "requestId");

        Messaging spanMessaging = Messaging.of(attributes, span.getKind(), null);
        Set<MessageRef> messages = new LinkedHashSet<>();
        if (spanMessaging.add(tenant, messages)) {
            used.addAll(spanMessaging.keys);
        }
        Set<SpanLink> links = new LinkedHashSet<>();
        List<io.opentelemetry.proto.trace.v1.Span.Link> keptLinks = new ArrayList<>(0);
        for (io.opentelemetry.proto.trace.v1.Span.Link link : span.getLinksList()) {
            Map<String, AnyValue> linkAttributes = attributes(link.getAttributesList());
            Messaging linkMessaging = Messaging.of(linkAttributes, span.getKind(), spanMessaging);
            boolean message = linkMessaging.add(tenant, messages);
            boolean traceContext = isValid(link.getTraceId(), TRACE_ID_BYTES);
            boolean spanIdValid = isValid(link.getSpanId(), SPAN_ID_BYTES);
            if (traceContext) {
                links.add(new SpanLink(HEX.formatHex(link.getTraceId().toByteArray()),
                        spanIdValid ? HEX.formatHex(link.getSpanId().toByteArray()) : null));
            }
            boolean carried = (traceContext ? spanIdValid || link.getSpanId().isEmpty() : message && isAbsent(link))
                    && link.getTraceState().isEmpty() && link.getDroppedAttributesCount() == 0
                    && (message ? linkMessaging.keys : Set.of()).containsAll(linkAttributes.keySet());
            if (!carried) {
                keptLinks.add(link);
            }
        }
        String kept = OtlpAttributes.of(span, used, context.json(resourceTenantUsed), scope.getScope(), keptLinks);
        return new Span(tenant, traceId, spanId, parent, context.service, span.getName(),
                kind(span.getKind()), start, end, span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
                requestId, messages.isEmpty() ? NO_MESSAGES : messages.toArray(NO_MESSAGES),
                links.isEmpty() ? NO_LINKS : links.toArray(NO_LINKS), kept);
    }

    /** A link without a trace context (all zeros or none), which only carries a message's attributes. */
    private static boolean isAbsent(io.opentelemetry.proto.trace.v1.Span.Link link) {
        return (link.getTraceId().isEmpty() || isZero(link.getTraceId()))
                && (link.getSpanId().isEmpty() || isZero(link.getSpanId()));
    }

    private static boolean isValid(ByteString id, int bytes) {
        return id.size() == bytes && !isZero(id);
    }

    /** The messaging attributes of a span, or of one of its links over the span's own. */
    private record Messaging(String system, Boolean publish, String destination, String partition, String id,
            Set<String> keys) {

        static Messaging of(Map<String, AnyValue> attributes, io.opentelemetry.proto.trace.v1.Span.SpanKind kind,
                Messaging span) {
            Set<String> keys = new HashSet<>();
            String system = first(attributes, List.of(SYSTEM), keys);
            String destination = first(attributes, DESTINATION, keys);
            for (Map.Entry<String, String> aws : AWS_DESTINATIONS.entrySet()) {
                String named = text(attributes, aws.getKey());
                if (named != null) {
                    system = system != null ? system : aws.getValue();
                    destination = destination != null ? destination : named;
                    break;
                }
            }
            String operation = first(attributes, OPERATION, keys);
            Boolean publish = operation != null ? RecordParser.publishes(operation.toLowerCase(Locale.ROOT))
                    : span != null ? span.publish
                    : switch (kind) {
                        // The Java AWS SDK instrumentation makes an SNS Publish or Kinesis PutRecord a client span.
                        case SPAN_KIND_PRODUCER, SPAN_KIND_CLIENT -> true;
                        case SPAN_KIND_CONSUMER -> false;
                        default -> null;
                    };
            String partition = first(attributes, List.of(PARTITION), keys);
            String id = first(attributes, List.of(MESSAGE_ID), keys);
            if (span != null) {
                system = system != null ? system : span.system;
                destination = destination != null ? destination : span.destination;
                partition = partition != null ? partition : span.partition;
            }
            return new Messaging(system, publish, destination, partition, id, keys);
        }

        /** Adds the message reference these attributes make, if they make one; false when they do not. */
        boolean add(String tenant, Set<MessageRef> messages) throws Invalid {
            if (id == null || system == null || publish == null) {
                return false; // no message, or one that says too little to pair: its attributes are kept
            }
            String checkedSystem = RecordParser.id(system, "message.system");
            String messageId = RecordParser.id(id, "message.id");
            // Kinesis joins by shard and sequence number: the project's convention puts the ShardId in the partition.
            if ("kinesis".equals(Destinations.system(checkedSystem)) && partition != null && !messageId.contains(":")) {
                messageId = RecordParser.id(partition + ":" + messageId, "message.id");
            }
            messages.add(MessageRef.of(tenant, checkedSystem, publish, RecordParser.destination(destination), messageId));
            return true;
        }
    }

    /** The resource's service.name, or its faas.name where the SDK was not told the service; the key used noted. */
    private static String service(Map<String, AnyValue> resource, Set<String> used) {
        String service = text(resource, SERVICE_NAME);
        // SDKs name a service they were not told about "unknown_service[:process]"; Lambda's faas.name is better.
        if (service == null || service.startsWith("unknown_service")) {
            String function = text(resource, FAAS_NAME);
            if (function != null) {
                used.add(FAAS_NAME);
                return function;
            }
        }
        if (service != null) {
            used.add(SERVICE_NAME);
            return service;
        }
        return "unknown";
    }

    private static String kind(io.opentelemetry.proto.trace.v1.Span.SpanKind kind) {
        return switch (kind) {
            case SPAN_KIND_SERVER -> "server";
            case SPAN_KIND_CLIENT -> "client";
            case SPAN_KIND_PRODUCER -> "producer";
            case SPAN_KIND_CONSUMER -> "consumer";
            default -> "internal"; // unspecified, internal, or a kind this model does not know
        };
    }

    private static String id(ByteString id, int bytes, String field) throws Invalid {
        if (id.size() != bytes) {
            throw new Invalid(INVALID_ID, field + " has " + id.size() + " bytes, not " + bytes
                    + (id.isEmpty() ? " (absent, or not hex in OTLP/JSON)" : ""));
        }
        if (isZero(id)) {
            throw new Invalid(INVALID_ID, field + " is all zeros, which OpenTelemetry reserves for no id");
        }
        return HEX.formatHex(id.toByteArray());
    }

    private static boolean isZero(ByteString id) {
        for (int i = 0; i < id.size(); i++) {
            if (id.byteAt(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Unsigned epoch nanoseconds (fixed64) as epoch milliseconds with their fraction; 0 means not set. */
    static double time(long unixNanos, String field) throws Invalid {
        if (unixNanos == 0) {
            throw new Invalid("invalid-time", field + " is 0: not set");
        }
        double ms = Long.divideUnsigned(unixNanos, 1_000_000) + Long.remainderUnsigned(unixNanos, 1_000_000) / 1e6;
        return RecordParser.time(ms, field);
    }

    static Map<String, AnyValue> attributes(List<KeyValue> list) {
        if (list.isEmpty()) {
            return Map.of();
        }
        Map<String, AnyValue> byKey = new HashMap<>(list.size() * 2);
        for (KeyValue kv : list) {
            byKey.putIfAbsent(kv.getKey(), kv.getValue()); // a repeated key: the first counts, as in the SDKs
        }
        return byKey;
    }

    /** The first of these attributes that holds a scalar, as text; the key is noted as used. */
    private static String first(Map<String, AnyValue> attributes, List<String> keys, Set<String> used) {
        for (String key : keys) {
            String value = text(attributes, key);
            if (value != null) {
                used.add(key);
                return value;
            }
        }
        return null;
    }

    /** A string, integer or boolean attribute as text; null when absent, empty or not a scalar. */
    static String text(Map<String, AnyValue> attributes, String key) {
        AnyValue value = attributes.get(key);
        if (value == null) {
            return null;
        }
        String text = switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            default -> null;
        };
        return text == null || text.isEmpty() ? null : text;
    }

    /** The account of the first ARN (or SQS queue URL) among these attributes. */
    static String accountOfArns(Map<String, AnyValue> attributes, List<String> keys) {
        for (String key : keys) {
            String account = account(text(attributes, key));
            if (account != null) {
                return account;
            }
        }
        return null;
    }

    /** {@code arn:partition:service:region:ACCOUNT:resource}, or {@code https://sqs.region.amazonaws.com/ACCOUNT/queue}. */
    static String account(String arnOrUrl) {
        if (arnOrUrl == null) {
            return null;
        }
        if (arnOrUrl.startsWith("arn:")) {
            String[] parts = arnOrUrl.split(":", 6);
            return parts.length == 6 && !parts[4].isEmpty() ? parts[4] : null;
        }
        if (arnOrUrl.startsWith("https://sqs.") || arnOrUrl.startsWith("http://sqs.")) {
            String[] path = arnOrUrl.split("/");
            return path.length >= 5 && path[path.length - 2].matches("[0-9]{12}") ? path[path.length - 2] : null;
        }
        return null;
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
