package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.Span;
import io.tracestitch.model.SpanLink;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OtlpParserTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN = "b7ad6b7169203331";
    private static final String PARENT = "00f067aa0ba902b7";
    private static final long START = 1_732_400_010_103_395_000L;
    private static final long END = 1_732_400_010_185_207_123L;
    private static final String TOPIC = "arn:aws:sns:us-east-1:111111111111:orders";
    private static final ObjectMapper JSON = new ObjectMapper();

    // --- Building requests ---

    static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    static ByteString hex(String hex) {
        return ByteString.copyFrom(HexFormat.of().parseHex(hex));
    }

    static io.opentelemetry.proto.trace.v1.Span.Builder span() {
        return io.opentelemetry.proto.trace.v1.Span.newBuilder().setTraceId(hex(TRACE)).setSpanId(hex(SPAN))
                .setParentSpanId(hex(PARENT)).setName("orders publish")
                .setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_PRODUCER)
                .setStartTimeUnixNano(START).setEndTimeUnixNano(END);
    }

    static ExportTraceServiceRequest request(List<KeyValue> resource, io.opentelemetry.proto.trace.v1.Span.Builder... spans) {
        ScopeSpans.Builder scope = ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.aws-sdk-2.2").setVersion("2.11.0"));
        Arrays.stream(spans).forEach(scope::addSpans);
        return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAllAttributes(resource)).addScopeSpans(scope)).build();
    }

    static ExportTraceServiceRequest request(io.opentelemetry.proto.trace.v1.Span.Builder... spans) {
        return request(List.of(attr("service.name", "orders-api"), attr("cloud.account.id", "111111111111")), spans);
    }

    static RecordParserTest.Collected parse(ExportTraceServiceRequest request) {
        RecordParserTest.Collected proto = parse(request.toByteArray(), false);
        RecordParserTest.Collected json = parse(OtlpJson.print(request).getBytes(StandardCharsets.UTF_8), true);
        // Both encodings of one request are read alike.
        assertThat(json.spans).usingRecursiveFieldByFieldElementComparator().isEqualTo(proto.spans);
        assertThat(json.dead.stream().map(DeadLetter::reason)).isEqualTo(proto.dead.stream().map(DeadLetter::reason).toList());
        return proto;
    }

    static RecordParserTest.Collected parse(byte[] record, boolean json) {
        RecordParserTest.Collected out = new RecordParserTest.Collected();
        new OtlpParser("cloud.account.id").parse(record, json, out);
        return out;
    }

    static JsonNode attributes(Span span) throws Exception {
        return JSON.readTree(span.attributesJson());
    }

    // --- Mapping ---

    @Test
    void anSnsPublishByTheProjectsConventionIsAPublishedMessage() throws Exception {
        Span s = parse(request(span().addAttributes(attr("messaging.system", "aws.sns"))
                .addAttributes(attr("messaging.operation.type", "send"))
                .addAttributes(attr("messaging.destination.name", TOPIC))
                .addAttributes(attr("messaging.message.id", "5f3c-m1"))
                .addAttributes(attr("rpc.system", "aws-api")))).onlySpan();
        assertThat(s.tenant()).isEqualTo("111111111111");
        assertThat(s.traceId()).isEqualTo(TRACE);
        assertThat(s.spanId()).isEqualTo(SPAN);
        assertThat(s.parentSpanId()).isEqualTo(PARENT);
        assertThat(s.service()).isEqualTo("orders-api");
        assertThat(s.kind()).isEqualTo("producer");
        assertThat(s.startMs()).isEqualTo(1_732_400_010_103.395);
        assertThat(s.endMs()).isEqualTo(1_732_400_010_185.207123);
        assertThat(s.messages()).containsExactly(new MessageRef("111111111111", "sns", true, "orders", "5f3c-m1"));
        JsonNode kept = attributes(s);
        assertThat(kept.path("rpc.system").asText()).isEqualTo("aws-api");
        assertThat(kept.has("messaging.message.id")).as("mapped, so not repeated").isFalse();
        assertThat(kept.path("otel.scope.name").asText()).isEqualTo("io.opentelemetry.aws-sdk-2.2");
    }

    @Test
    void olderAttributeNamesMeanTheSame() {
        Span current = parse(request(span().setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER)
                .addAttributes(attr("messaging.system", "aws_sqs"))
                .addAttributes(attr("messaging.operation.type", "process"))
                .addAttributes(attr("messaging.destination.name", "orders-queue"))
                .addAttributes(attr("messaging.message.id", "m-7"))
                .addAttributes(attr("faas.invocation_id", "req-1")))).onlySpan();
        Span older = parse(request(span().setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER)
                .addAttributes(attr("messaging.system", "aws.sqs"))
                .addAttributes(attr("messaging.operation", "deliver"))
                .addAttributes(attr("aws.sqs.queue.url", "https://sqs.us-east-1.amazonaws.com/111111111111/orders-queue"))
                .addAttributes(attr("messaging.message.id", "m-7"))
                .addAttributes(attr("faas.execution", "req-1")))).onlySpan();
        assertThat(older.messages()).containsExactly(current.messages());
        assertThat(current.messages()[0].publish()).isFalse();
        assertThat(older.requestId()).isEqualTo("req-1").isEqualTo(current.requestId());
    }

    @Test
    void aKinesisPutJoinsByShardAndSequenceNumber() {
        Span s = parse(request(span().addAttributes(attr("messaging.system", "aws_kinesis"))
                .addAttributes(attr("messaging.operation.type", "send"))
                .addAttributes(attr("messaging.destination.name", "pay"))
                .addAttributes(attr("messaging.destination.partition.id", "shardId-000000000001"))
                .addAttributes(attr("messaging.message.id", "4959033827149025660855969")))).onlySpan();
        assertThat(s.messages()).containsExactly(
                new MessageRef("111111111111", "kinesis", true, "pay", "shardId-000000000001:4959033827149025660855969"));
    }

    @Test
    void aBatchIsOneLinkPerMessageAndALinkWithATraceContextIsALinkToo() throws Exception {
        String producerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        Span s = parse(request(span().setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CONSUMER)
                .addAttributes(attr("messaging.system", "aws_kinesis"))
                .addAttributes(attr("messaging.operation.type", "process"))
                .addAttributes(attr("messaging.destination.name", "pay"))
                .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                        .setTraceId(hex(producerTrace)).setSpanId(hex(PARENT))
                        .addAttributes(attr("messaging.destination.partition.id", "shardId-0"))
                        .addAttributes(attr("messaging.message.id", "17")))
                .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                        .addAttributes(attr("messaging.destination.partition.id", "shardId-1"))
                        .addAttributes(attr("messaging.message.id", "18")))
                .addLinks(io.opentelemetry.proto.trace.v1.Span.Link.newBuilder()
                        .setTraceId(hex(producerTrace)).addAttributes(attr("note", "no message")))))
                .onlySpan();
        assertThat(s.messages()).containsExactly(
                new MessageRef("111111111111", "kinesis", false, "pay", "shardId-0:17"),
                new MessageRef("111111111111", "kinesis", false, "pay", "shardId-1:18"));
        assertThat(s.links()).containsExactly(new SpanLink(producerTrace, PARENT), new SpanLink(producerTrace, null));
        // The third link says more than a model link: it is kept whole.
        JsonNode kept = attributes(s).path("otel.links");
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).path("attributes").path("note").asText()).isEqualTo("no message");
        assertThat(attributes(s).path("messaging.system").asText()).as("not mapped at span level").isEqualTo("aws_kinesis");
    }

    @Test
    void theTenantComesFromTheSpanTheResourceTheTraceOrAnArnInThatOrder() {
        List<KeyValue> noAccount = List.of(attr("service.name", "fn"));
        var invocation = span().setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER)
                .setSpanId(hex("1111111111111111")).addAttributes(attr("cloud.account.id", "222222222222"));
        var child = span().setSpanId(hex("2222222222222222")).addAttributes(attr("messaging.system", "aws.sns"))
                .addAttributes(attr("messaging.destination.name", TOPIC));
        RecordParserTest.Collected both = parse(request(noAccount, invocation, child));
        assertThat(both.spans).extracting(Span::tenant).containsExactly("222222222222", "222222222222");

        assertThat(parse(request(noAccount, child.clone())).onlySpan().tenant()).as("the topic's account").isEqualTo("111111111111");
        assertThat(parse(request(noAccount, span().addAttributes(attr("cloud.resource_id",
                "arn:aws:lambda:us-east-1:333333333333:function:fn:7")))).onlySpan().tenant()).isEqualTo("333333333333");
        assertThat(parse(request(noAccount, span())).onlySpan().tenant()).isEqualTo("default");
        assertThat(parse(request(span().addAttributes(attr("cloud.account.id", "444444444444")))).onlySpan().tenant())
                .as("the span's own over its resource's").isEqualTo("444444444444");

        RecordParserTest.Collected custom = new RecordParserTest.Collected();
        new OtlpParser("tenant.id").parse(request(List.of(attr("tenant.id", "acme")), span()).toByteArray(), false, custom);
        assertThat(custom.onlySpan().tenant()).isEqualTo("acme");
    }

    @Test
    void kindStatusEventsAndTheResourceAreCarriedOver() throws Exception {
        Span s = parse(request(List.of(attr("service.name", "unknown_service:java"), attr("faas.name", "ledger"),
                        attr("cloud.region", "eu-west-1")),
                span().setKind(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_CLIENT)
                        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"))
                        .addEvents(io.opentelemetry.proto.trace.v1.Span.Event.newBuilder().setName("exception")
                                .setTimeUnixNano(START + 5_000_000).addAttributes(attr("exception.type", "java.io.IOException"))))).onlySpan();
        assertThat(s.kind()).isEqualTo("client");
        assertThat(s.error()).isTrue();
        assertThat(s.service()).as("faas.name where the SDK was not told the service").isEqualTo("ledger");
        JsonNode kept = attributes(s);
        assertThat(kept.path("otel.status_description").asText()).isEqualTo("boom");
        assertThat(kept.path("otel.events").get(0).path("attributes").path("exception.type").asText())
                .isEqualTo("java.io.IOException");
        assertThat(kept.path("otel.events").get(0).path("timeMs").asDouble()).isEqualTo(1_732_400_010_108.395);
        assertThat(kept.path("otel.resource").path("cloud.region").asText()).isEqualTo("eu-west-1");
        assertThat(kept.path("otel.resource").path("service.name").asText()).as("not used: kept").isEqualTo("unknown_service:java");
        assertThat(kept.path("otel.resource").has("faas.name")).as("used as the service").isFalse();
    }

    @Test
    void aSettleOrAMessageWithoutSystemMakesNoReferenceButIsKept() throws Exception {
        Span s = parse(request(span().addAttributes(attr("messaging.system", "aws_sqs"))
                .addAttributes(attr("messaging.operation.type", "settle"))
                .addAttributes(attr("messaging.message.id", "m-1")))).onlySpan();
        assertThat(s.messages()).isEmpty();
        assertThat(attributes(s).path("messaging.message.id").asText()).isEqualTo("m-1");
    }

    // --- Hostile input ---

    @Test
    void aRequestThatDoesNotDecodeIsOneDeadLetterWithItsBytes() {
        DeadLetter proto = parse(new byte[] {0x0A, 0x7F, 0x01}, false).onlyDead();
        assertThat(proto.reason()).isEqualTo(OtlpParser.MALFORMED);
        assertThat(proto.raw()).isEqualTo("Cn8B");
        assertThat(proto.detail()).startsWith("not an OTLP protobuf request").endsWith("raw is the record's 3 bytes in Base64");
        DeadLetter json = parse("{\"resourceSpans\":[{\"scopeSpans\":7}]}".getBytes(StandardCharsets.UTF_8), true).onlyDead();
        assertThat(json.reason()).isEqualTo(OtlpParser.MALFORMED);
        assertThat(json.raw()).isEqualTo("{\"resourceSpans\":[{\"scopeSpans\":7}]}");
        assertThat(parse("{\"resourceSpans\":".getBytes(StandardCharsets.UTF_8), true).onlyDead().reason())
                .isEqualTo(OtlpParser.MALFORMED);
    }

    @Test
    void anEmptyRequestIsIgnored() {
        assertThat(parse(new byte[0], false).ignored).isEqualTo(1);
        assertThat(parse("{}".getBytes(StandardCharsets.UTF_8), true).ignored).isEqualTo(1);
        assertThat(parse("  ".getBytes(StandardCharsets.UTF_8), true).ignored).isEqualTo(1);
    }

    @Test
    void aRequestOverTheLimitIsRefusedUnread() {
        byte[] big = new byte[OtlpParser.MAX_REQUEST_BYTES + 1];
        DeadLetter dead = parse(big, false).onlyDead();
        assertThat(dead.reason()).isEqualTo(OtlpParser.TOO_LARGE);
        assertThat(dead.detail()).startsWith("8388609 bytes, over the limit of 8388608");
    }

    @Test
    void aBadSpanIsItsOwnDeadLetterAndTheRestOfTheRequestIsKept() throws Exception {
        RecordParserTest.Collected out = parse(request(
                span().setTraceId(hex("0af7651916cd43dd")), // 8 bytes: a span id's length
                span().setSpanId(hex("0000000000000000")),
                span().setParentSpanId(hex("00f067aa0ba902b700")),
                span().setStartTimeUnixNano(0),
                span().setEndTimeUnixNano(START - 1),
                span().addAttributes(attr("faas.invocation_id", "r".repeat(257))),
                span().addAttributes(attr("messaging.system", "aws_sqs")).addAttributes(attr("messaging.operation.type", "send"))
                        .addAttributes(attr("messaging.message.id", "m\u0001")),
                span()));
        assertThat(out.spans).hasSize(1);
        assertThat(out.dead).extracting(DeadLetter::reason).containsExactly(OtlpParser.INVALID_ID, OtlpParser.INVALID_ID,
                OtlpParser.INVALID_ID, "invalid-time", "invalid-time", "oversized-requestId", "invalid-message.id");
        assertThat(out.dead.get(0).detail()).isEqualTo("traceId has 8 bytes, not 16");
        assertThat(out.dead.get(1).detail()).isEqualTo("spanId is all zeros, which OpenTelemetry reserves for no id");
        assertThat(out.dead.get(3).detail()).isEqualTo("startTimeUnixNano is 0: not set");
        // The span's OTLP/JSON, with hex ids as OTLP/JSON writes them.
        JsonNode raw = JSON.readTree(out.dead.get(0).raw());
        assertThat(raw.path("traceId").asText()).isEqualTo("0af7651916cd43dd");
        assertThat(raw.path("spanId").asText()).isEqualTo(SPAN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0af7651916cd43dd8448eb211c80319", "zzf7651916cd43dd8448eb211c80319c", "CvdlGRbNQ92ESOshHIAxnA=="})
    void anOtlpJsonIdThatIsNotHexCostsItsSpanOnly(String badTraceId) throws Exception {
        String good = OtlpJson.print(request(span()));
        String bad = good.replace("\"spans\":[{", "\"spans\":[{\"traceId\":\"" + badTraceId + "\",\"x\":{\"a\":1}},{");
        RecordParserTest.Collected out = parse(bad.getBytes(StandardCharsets.UTF_8), true);
        assertThat(out.spans).hasSize(1);
        assertThat(out.dead).extracting(DeadLetter::reason).containsExactly(OtlpParser.INVALID_ID);
        assertThat(out.dead.get(0).detail()).isEqualTo("traceId has 0 bytes, not 16 (absent, or not hex in OTLP/JSON)");
    }

    @Test
    void otlpJsonTakesUpperCaseHexEnumNamesProtoNamesAndStringIntegers() {
        String json = "{\"resource_spans\":[{\"resource\":{\"attributes\":[{\"key\":\"cloud.account.id\",\"value\":"
                + "{\"stringValue\":\"111111111111\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":\"" + TRACE.toUpperCase()
                + "\",\"span_id\":\"" + SPAN + "\",\"kind\":\"SPAN_KIND_SERVER\",\"startTimeUnixNano\":\"" + START
                + "\",\"end_time_unix_nano\":" + END + ",\"status\":{\"code\":2},\"unknownField\":[1]}]}]}]}";
        Span s = parse(json.getBytes(StandardCharsets.UTF_8), true).onlySpan();
        assertThat(s.traceId()).isEqualTo(TRACE);
        assertThat(s.kind()).isEqualTo("server");
        assertThat(s.error()).isTrue();
        assertThat(s.parentSpanId()).isNull();
    }

    @Test
    void nanosecondsAreUnsignedAndNeverNegative() {
        // 2^63 ns and above are negative as a Java long: read as fixed64 they are in the year 2262 and later.
        Span s = parse(request(span().setStartTimeUnixNano(Long.MIN_VALUE).setEndTimeUnixNano(-1L))).onlySpan();
        assertThat(s.startMs()).isEqualTo(9_223_372_036_854.775808);
        assertThat(s.endMs()).isEqualTo(18_446_744_073_709.551615);
        assertThat(s.eventTimeMs()).isPositive();
    }
}
