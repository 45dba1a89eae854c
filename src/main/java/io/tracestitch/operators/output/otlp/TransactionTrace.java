package io.tracestitch.operators.output.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.Status;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.Json;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One revision as OpenTelemetry spans of one trace, the transaction's ({@link OtlpIds}): every span
 * of every member trace under the transaction's trace id with its own span id, its original trace id
 * as {@code tracestitch.original_trace_id}; each member trace's root hung from the producer span of
 * the hop that started it ({@link HopParents}, with {@code tracestitch.hop.*}); the origins' roots
 * from the transaction's own span; a span that received from an upstream transaction (fan-in) linked
 * to each upstream transaction's span; the invocation's facts on the invocation's span. The same
 * revision content always gives the same spans, field for field, in the same order.
 */
public final class TransactionTrace {

    /** A span as written, with what grouping and deduplication need beside it. */
    public record EncodedSpan(long spanId, String service, boolean writeOnce,
            io.opentelemetry.proto.trace.v1.Span span) {}

    public static final String SERVICE = "tracestitch";
    static final String ORIGINAL_TRACE_ID = "tracestitch.original_trace_id";
    static final String ORIGINAL_SPAN_ID = "tracestitch.original_span_id";
    static final String TRANSACTION_ID = "tracestitch.transaction_id";
    static final String HOP_SYSTEM = "tracestitch.hop.system";
    static final String HOP_MESSAGE_ID = "tracestitch.hop.message_id";
    static final String HOP_DELAY_MS = "tracestitch.hop.delay_ms";
    static final String HOP_PRODUCER_TRACE_ID = "tracestitch.hop.producer_trace_id";
    static final String UPSTREAM_TRANSACTION_ID = "tracestitch.upstream_transaction_id";
    static final String SUPERSEDED_BY = "tracestitch.superseded_by";

    private static final ObjectMapper MAPPER = new ObjectMapper(Json.FACTORY);

    private final RevisionContent content;
    private final ByteString traceId;
    private final long transactionSpanId;
    /** Member traces' spans by trace id, then span id, in the line's order. */
    private final Map<String, Map<String, Span>> traces = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> spanIds = new HashMap<>();

    private TransactionTrace(RevisionContent content) {
        this.content = content;
        this.traceId = ByteString.copyFrom(OtlpIds.transactionTraceId(content.tenant(), content.transactionId()));
        this.transactionSpanId = OtlpIds.transactionSpanId(content.tenant(), content.transactionId());
        for (Span span : content.spans()) {
            traces.computeIfAbsent(span.traceId(), t -> new LinkedHashMap<>()).put(span.spanId(), span);
        }
        assignSpanIds();
    }

    /** The transaction's span first, then the member spans in the line's order. */
    public static List<EncodedSpan> of(RevisionContent content) {
        return new TransactionTrace(content).encode();
    }

    /**
     * The span that tells, in the trace of a transaction that {@code content}'s transaction absorbed,
     * where it went: a child of that trace's transaction span, linked to the absorbing transaction's.
     */
    public static EncodedSpan supersededMarker(RevisionContent content, String superseded) {
        long spanId = OtlpIds.supersededSpanId(content.tenant(), superseded);
        long micros = micros(content.startMs());
        var span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(ByteString.copyFrom(OtlpIds.transactionTraceId(content.tenant(), superseded)))
                .setSpanId(ByteString.copyFrom(OtlpIds.bytes(spanId)))
                .setParentSpanId(ByteString.copyFrom(OtlpIds.bytes(OtlpIds.transactionSpanId(content.tenant(), superseded))))
                .setName("merged into " + content.transactionId())
                .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL)
                .setStartTimeUnixNano(micros * 1000)
                .setEndTimeUnixNano(micros * 1000)
                .addAttributes(string(TRANSACTION_ID, superseded))
                .addAttributes(string(SUPERSEDED_BY, content.transactionId()))
                .addLinks(transactionLink(content.tenant(), content.transactionId(), SUPERSEDED_BY))
                .build();
        return new EncodedSpan(spanId, SERVICE, true, span);
    }

    private List<EncodedSpan> encode() {
        Map<String, HopParents.Hop> hopByRoot = new HashMap<>();
        HopParents.of(traces).values().forEach(hop -> {
            Span root = rootAbove(hop.consumer());
            if (root != null) {
                hopByRoot.put(key(root), hop);
            }
        });
        Set<String> invocationSpans = invocationSpans();
        List<EncodedSpan> encoded = new ArrayList<>(content.spans().size() + 1);
        encoded.add(transactionSpan());
        for (Map<String, Span> trace : traces.values()) {
            for (Span span : trace.values()) {
                encoded.add(encode(span, hopByRoot.get(key(span)), invocationSpans.contains(key(span))));
            }
        }
        return encoded;
    }

    /** Written once per transaction: later revisions would only move its times, and a changed copy shows twice. */
    private EncodedSpan transactionSpan() {
        var span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(traceId)
                .setSpanId(ByteString.copyFrom(OtlpIds.bytes(transactionSpanId)))
                .setName("transaction " + content.transactionId())
                .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL)
                .setStartTimeUnixNano(nanos(content.startMs()))
                .setEndTimeUnixNano(nanos(content.endMs()))
                .addAttributes(string(TRANSACTION_ID, content.transactionId()))
                .build();
        return new EncodedSpan(transactionSpanId, SERVICE, true, span);
    }

    private EncodedSpan encode(Span s, HopParents.Hop hop, boolean invocationSpan) {
        long spanId = spanIds.get(s.traceId()).get(s.spanId());
        var span = io.opentelemetry.proto.trace.v1.Span.newBuilder()
                .setTraceId(traceId)
                .setSpanId(ByteString.copyFrom(OtlpIds.bytes(spanId)))
                .setName(s.name())
                .setKind(kind(s.kind()))
                .setStartTimeUnixNano(nanos(s.startMs()))
                .setEndTimeUnixNano(nanos(s.endMs()));
        Map<String, AnyValue> attributes = new LinkedHashMap<>();
        attributes(s.attributesJson(), attributes);
        attributes.putIfAbsent(TRANSACTION_ID, text(content.transactionId()));
        attributes.putIfAbsent(ORIGINAL_TRACE_ID, text(s.traceId()));
        if (!OtlpIds.hex(OtlpIds.bytes(spanId)).equals(s.spanId())) {
            attributes.putIfAbsent(ORIGINAL_SPAN_ID, text(s.spanId()));
        }
        if (span.getKind() == io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_UNSPECIFIED) {
            attributes.putIfAbsent("tracestitch.kind", text(s.kind()));
        }
        messaging(s.messages(), attributes);
        if (hop != null) {
            span.setParentSpanId(ByteString.copyFrom(OtlpIds.bytes(idOf(hop.producer()))));
            attributes.put(HOP_SYSTEM, text(hop.system()));
            if (hop.messageId() != null) {
                attributes.put(HOP_MESSAGE_ID, text(hop.messageId()));
            }
            attributes.put(HOP_DELAY_MS, AnyValue.newBuilder().setDoubleValue(hop.delayMs()).build());
            attributes.put(HOP_PRODUCER_TRACE_ID, text(hop.producer().traceId()));
        } else if (isEmpty(s.parentSpanId())) {
            span.setParentSpanId(ByteString.copyFrom(OtlpIds.bytes(transactionSpanId)));
        } else {
            Long parent = spanIds.get(s.traceId()).get(s.parentSpanId());
            // A parent not (yet) seen keeps the id it will have when it arrives.
            span.setParentSpanId(ByteString.copyFrom(OtlpIds.bytes(
                    parent != null ? parent : OtlpIds.spanId(s.traceId(), s.parentSpanId()))));
        }
        Status.Builder status = Status.newBuilder();
        if (s.error()) {
            status.setCode(Status.StatusCode.STATUS_CODE_ERROR);
        }
        if (s.requestId() != null) {
            attributes.putIfAbsent("faas.invocation_id", text(s.requestId()));
            RevisionContent.InvocationFacts facts = content.invocations().get(s.requestId());
            if (invocationSpan && facts != null) {
                InvocationAttributes.add(facts, attributes, status);
            }
        }
        attributes.forEach((k, v) -> span.addAttributes(KeyValue.newBuilder().setKey(k).setValue(v)));
        if (status.getCode() != Status.StatusCode.STATUS_CODE_UNSET) {
            span.setStatus(status);
        }
        for (SpanLink link : s.links()) {
            span.addLinks(link(link));
        }
        if (receivesFromUpstream(s)) {
            for (String upstream : content.upstreamTransactions()) {
                span.addLinks(transactionLink(content.tenant(), upstream, UPSTREAM_TRANSACTION_ID));
            }
        }
        return new EncodedSpan(spanId, s.service(), false, span.build());
    }

    /** A link of the input: inside the transaction it points into the transaction's trace. */
    private io.opentelemetry.proto.trace.v1.Span.Link link(SpanLink link) {
        String linkedSpan = link.spanId() == null ? "" : link.spanId();
        Map<String, Long> member = spanIds.get(link.traceId());
        var out = io.opentelemetry.proto.trace.v1.Span.Link.newBuilder();
        if (member != null) {
            Long known = member.get(linkedSpan);
            out.setTraceId(traceId).setSpanId(ByteString.copyFrom(OtlpIds.bytes(
                    known != null ? known : OtlpIds.spanId(link.traceId(), linkedSpan))));
        } else {
            out.setTraceId(ByteString.copyFrom(OtlpIds.traceId(link.traceId())))
                    .setSpanId(ByteString.copyFrom(OtlpIds.bytes(OtlpIds.spanId(link.traceId(), linkedSpan))));
        }
        return out.addAttributes(string(ORIGINAL_TRACE_ID, link.traceId())).build();
    }

    private static io.opentelemetry.proto.trace.v1.Span.Link transactionLink(String tenant, String transactionId,
            String attribute) {
        return io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                .setTraceId(ByteString.copyFrom(OtlpIds.transactionTraceId(tenant, transactionId)))
                .setSpanId(ByteString.copyFrom(OtlpIds.bytes(OtlpIds.transactionSpanId(tenant, transactionId))))
                .addAttributes(string(attribute, transactionId))
                .build();
    }

    /**
     * A span received a message, or links to a trace, whose producer lies in no member trace and yet
     * was seen (it is not unmatched): its producer is in an upstream transaction.
     */
    private boolean receivesFromUpstream(Span s) {
        if (content.upstreamTransactions().isEmpty()) {
            return false;
        }
        for (MessageRef ref : s.messages()) {
            if (!ref.publish() && !publishedHere(ref.joinKey()) && !content.unmatchedMessages().contains(ref.joinKey())) {
                return true;
            }
        }
        for (SpanLink link : s.links()) {
            if (!traces.containsKey(link.traceId()) && !content.unmatchedLinks().contains(link.traceId())) {
                return true;
            }
        }
        return false;
    }

    private Set<JoinKey> published;

    private boolean publishedHere(JoinKey key) {
        if (published == null) {
            published = new HashSet<>();
            content.spans().forEach(s -> {
                for (MessageRef ref : s.messages()) {
                    if (ref.publish()) {
                        published.add(ref.joinKey());
                    }
                }
            });
        }
        return published.contains(key);
    }

    /** The top of the span's ancestry within its trace, if that is a root (not an orphan whose parent is missing). */
    private Span rootAbove(Span span) {
        Map<String, Span> trace = traces.get(span.traceId());
        Span current = span;
        for (int steps = 0; steps <= trace.size(); steps++) {
            if (isEmpty(current.parentSpanId())) {
                return current;
            }
            Span parent = trace.get(current.parentSpanId());
            if (parent == null) {
                return null;
            }
            current = parent;
        }
        return null; // a parent cycle in the input: no root
    }

    /** Spans with a request id whose parent does not carry the same one: where the invocation begins. */
    private Set<String> invocationSpans() {
        Set<String> spans = new HashSet<>();
        for (Map<String, Span> trace : traces.values()) {
            for (Span span : trace.values()) {
                if (span.requestId() == null) {
                    continue;
                }
                Span parent = isEmpty(span.parentSpanId()) ? null : trace.get(span.parentSpanId());
                if (parent == null || !span.requestId().equals(parent.requestId())) {
                    spans.add(key(span));
                }
            }
        }
        return spans;
    }

    /**
     * Span ids as they are (or hashed, when not 16 hex digits). Should two member traces hold the same
     * id, the trace that sorts first keeps it and the others' span gets one hashed from its trace.
     */
    private void assignSpanIds() {
        Map<Long, String> owner = new HashMap<>();
        owner.put(transactionSpanId, "");
        for (String trace : new TreeMap<>(traces).keySet()) {
            Map<String, Long> ids = new HashMap<>();
            for (String spanId : traces.get(trace).keySet()) {
                long id = OtlpIds.spanId(trace, spanId);
                if (owner.putIfAbsent(id, trace) != null) {
                    id = OtlpIds.spanId(trace, "\u0000" + spanId); // never 16 hex digits: hashed
                    owner.putIfAbsent(id, trace);
                }
                ids.put(spanId, id);
            }
            spanIds.put(trace, ids);
        }
    }

    private long idOf(Span span) {
        return spanIds.get(span.traceId()).get(span.spanId());
    }

    /** One reference: the semantic conventions' messaging attributes; several: a batch. */
    private static void messaging(MessageRef[] refs, Map<String, AnyValue> attributes) {
        if (refs.length == 1) {
            MessageRef ref = refs[0];
            attributes.putIfAbsent("messaging.system", text(messagingSystem(ref.system())));
            attributes.putIfAbsent("messaging.operation.type", text(ref.publish() ? "send" : "receive"));
            if (ref.destination() != null) {
                attributes.putIfAbsent("messaging.destination.name", text(ref.destination()));
            }
            int shardEnd = ref.id().lastIndexOf(':');
            if (JoinKey.KINESIS.equals(ref.system()) && shardEnd > 0) {
                // The id convention: shard as the partition, sequence number as the message id.
                attributes.putIfAbsent("messaging.destination.partition.id", text(ref.id().substring(0, shardEnd)));
                attributes.putIfAbsent("messaging.message.id", text(ref.id().substring(shardEnd + 1)));
            } else {
                attributes.putIfAbsent("messaging.message.id", text(ref.id()));
            }
        } else if (refs.length > 1) {
            ArrayValue.Builder list = ArrayValue.newBuilder();
            for (MessageRef ref : refs) {
                list.addValues(text(ref.operation() + " " + ref.system() + " "
                        + (ref.destination() == null ? "" : ref.destination()) + " " + ref.id()));
            }
            attributes.putIfAbsent("messaging.batch.message_count",
                    AnyValue.newBuilder().setIntValue(refs.length).build());
            attributes.putIfAbsent("tracestitch.messages", AnyValue.newBuilder().setArrayValue(list).build());
        }
    }

    /** The input's attributes object, kept: JSON types as OTLP values, null members left out. */
    private static void attributes(String json, Map<String, AnyValue> out) {
        if (json == null || json.equals("{}")) {
            return;
        }
        try {
            Iterator<Map.Entry<String, JsonNode>> fields = MAPPER.readTree(json).fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getValue().isNull()) {
                    out.put(field.getKey(), value(field.getValue()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a span's attributes do not parse", e);
        }
    }

    private static AnyValue value(JsonNode node) {
        AnyValue.Builder value = AnyValue.newBuilder();
        if (node.isTextual()) {
            value.setStringValue(node.asText());
        } else if (node.isBoolean()) {
            value.setBoolValue(node.asBoolean());
        } else if (node.isIntegralNumber() && node.canConvertToLong()) {
            value.setIntValue(node.asLong());
        } else if (node.isNumber()) {
            value.setDoubleValue(node.asDouble());
        } else if (node.isArray()) {
            ArrayValue.Builder array = ArrayValue.newBuilder();
            node.forEach(element -> array.addValues(value(element)));
            value.setArrayValue(array);
        } else if (node.isObject()) {
            KeyValueList.Builder list = KeyValueList.newBuilder();
            node.fields().forEachRemaining(f -> list.addValues(KeyValue.newBuilder().setKey(f.getKey()).setValue(value(f.getValue()))));
            value.setKvlistValue(list);
        }
        return value.build(); // null: an empty value
    }

    /** The input's kinds are OpenTelemetry's, lower-cased; any other kind is kept as an attribute. */
    private static io.opentelemetry.proto.trace.v1.Span.SpanKind kind(String kind) {
        return switch (kind) {
            case "internal" -> io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_INTERNAL;
            case "server" -> io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;
            case "client" -> io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT;
            case "producer" -> io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER;
            case "consumer" -> io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER;
            default -> io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_UNSPECIFIED;
        };
    }

    /**
     * The semantic conventions' {@code messaging.system} for the input's normalised systems (sqs and sns
     * as the AWS SDK instrumentations write them, kinesis and eventbridge as the project's id convention).
     */
    private static String messagingSystem(String system) {
        return switch (system) {
            case "sqs" -> "aws_sqs";
            case "sns" -> "aws.sns";
            case JoinKey.KINESIS -> "aws_kinesis";
            case "eventbridge" -> "aws.eventbridge";
            default -> system;
        };
    }

    static AnyValue text(String value) {
        return AnyValue.newBuilder().setStringValue(value).build();
    }

    static KeyValue string(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(text(value)).build();
    }

    private static String key(Span span) {
        return span.traceId() + '\n' + span.spanId();
    }

    private static boolean isEmpty(String id) {
        return id == null || id.isEmpty();
    }

    /** The line's times are exact to the microsecond; via micros, nanoseconds are exact too. */
    static long nanos(double millis) {
        return micros(millis) * 1000;
    }

    private static long micros(double millis) {
        return Math.round(millis * 1000.0);
    }
}
