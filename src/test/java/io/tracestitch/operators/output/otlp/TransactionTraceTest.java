package io.tracestitch.operators.output.otlp;

import static io.tracestitch.operators.output.otlp.Revisions.TENANT;
import static io.tracestitch.operators.output.otlp.Revisions.span;
import static io.tracestitch.testing.Spans.publish;
import static io.tracestitch.testing.Spans.receive;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.SpanLink;
import io.tracestitch.operators.output.otlp.TransactionTrace.EncodedSpan;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** One revision as OTLP spans: ids, hop parenting, fan-in links, invocation facts, kinds and status. */
class TransactionTraceTest {

    static final String PRODUCER = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    static final String CONSUMER = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    static final SpanLink[] NO_LINKS = {};

    /** The API's invocation span, the producer trace's root. */
    static final io.tracestitch.model.Span API = span(PRODUCER, "00000000000000a1", null, "api", "server", 0, "req-api",
            Revisions.refs(), NO_LINKS);

    /** API → SQS m1 → consumer: the producer trace's child publishes, the consumer trace's root receives. */
    static Revisions chain(String transactionId, int revision) {
        return Revisions.of(transactionId, revision).spans(API,
                span(PRODUCER, "00000000000000a2", "00000000000000a1", "api", "producer", 2, null,
                        Revisions.refs(publish("sqs", "orders", "m1")), NO_LINKS),
                span(CONSUMER, "00000000000000b1", null, "worker", "consumer", 40, "req-worker",
                        Revisions.refs(receive("sqs", "https://sqs.us-east-1.amazonaws.com/1/orders", "m1")), NO_LINKS),
                span(CONSUMER, "00000000000000b2", "00000000000000b1", "worker", "client", 42, null,
                        Revisions.refs(), NO_LINKS));
    }

    @Test
    void everySpanMovesToTheTransactionsTraceAndKeepsItsIdAndOriginalTrace() {
        List<EncodedSpan> spans = TransactionTrace.of(chain("tx-a", 1).content());
        ByteString traceId = ByteString.copyFrom(OtlpIds.transactionTraceId(TENANT, "tx-a"));

        assertThat(spans).extracting(s -> s.span().getTraceId()).containsOnly(traceId);
        assertThat(spans).extracting(s -> hex(s.span().getSpanId())).containsExactly(
                hex(OtlpIds.transactionSpanId(TENANT, "tx-a")), "00000000000000a1", "00000000000000a2",
                "00000000000000b1", "00000000000000b2");
        assertThat(attribute(byId(spans, "00000000000000b2"), TransactionTrace.ORIGINAL_TRACE_ID)).isEqualTo(CONSUMER);
        assertThat(attribute(byId(spans, "00000000000000a1"), TransactionTrace.ORIGINAL_TRACE_ID)).isEqualTo(PRODUCER);
        assertThat(attribute(byId(spans, "00000000000000a1"), TransactionTrace.TRANSACTION_ID)).isEqualTo("tx-a");
        assertThat(OtlpIds.transactionTraceId(TENANT, "tx-a")).as("tenant and id both count")
                .isNotEqualTo(OtlpIds.transactionTraceId("222222222222", "tx-a"))
                .isNotEqualTo(OtlpIds.transactionTraceId(TENANT, "tx-b"));
    }

    @Test
    void theConsumersRootHangsFromTheProducerSpanOfItsHop() {
        List<EncodedSpan> spans = TransactionTrace.of(chain("tx-a", 1).content());

        Span consumerRoot = byId(spans, "00000000000000b1");
        assertThat(hex(consumerRoot.getParentSpanId())).isEqualTo("00000000000000a2");
        assertThat(attribute(consumerRoot, TransactionTrace.HOP_SYSTEM)).isEqualTo("sqs");
        assertThat(attribute(consumerRoot, TransactionTrace.HOP_MESSAGE_ID)).isEqualTo("m1");
        assertThat(value(consumerRoot, TransactionTrace.HOP_DELAY_MS).getDoubleValue()).isEqualTo(28.0);
        assertThat(attribute(consumerRoot, TransactionTrace.HOP_PRODUCER_TRACE_ID)).isEqualTo(PRODUCER);
        assertThat(hex(byId(spans, "00000000000000b2").getParentSpanId())).as("parents inside a trace are kept")
                .isEqualTo("00000000000000b1");
        assertThat(hex(byId(spans, "00000000000000a1").getParentSpanId())).as("the origin hangs from the transaction")
                .isEqualTo(hex(OtlpIds.transactionSpanId(TENANT, "tx-a")));
        assertThat(spans.get(0).span().getParentSpanId()).as("the transaction span is the one root").isEmpty();
    }

    @Test
    void aCycleOfLinksStillGivesATree() {
        String a = "cccccccccccccccccccccccccccccccc";
        String b = "dddddddddddddddddddddddddddddddd";
        List<EncodedSpan> spans = TransactionTrace.of(Revisions.of("tx-c", 1).spans(
                span(a, "00000000000000c1", null, "a", "server", 0, null, Revisions.refs(),
                        new SpanLink[] {new SpanLink(b, "00000000000000d1")}),
                span(b, "00000000000000d1", null, "b", "server", 5, null, Revisions.refs(),
                        new SpanLink[] {new SpanLink(a, "00000000000000c1")})).content());

        assertThat(hex(byId(spans, "00000000000000c1").getParentSpanId())).as("the earliest trace is the origin")
                .isEqualTo(hex(OtlpIds.transactionSpanId(TENANT, "tx-c")));
        Span later = byId(spans, "00000000000000d1");
        assertThat(hex(later.getParentSpanId())).isEqualTo("00000000000000c1");
        assertThat(attribute(later, TransactionTrace.HOP_SYSTEM)).isEqualTo(HopParents.LINK);
        assertThat(later.getLinks(0).getTraceId()).as("a link inside the transaction points into its trace")
                .isEqualTo(later.getTraceId());
    }

    @Test
    void aFanInConsumerLinksToEachUpstreamTransaction() {
        String batch = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";
        List<EncodedSpan> spans = TransactionTrace.of(Revisions.of("tx-d", 1).upstream("tx-a", "tx-x").spans(
                span(batch, "00000000000000e1", null, "ledger", "consumer", 0, null,
                        Revisions.refs(receive("kinesis", "pay", "shardId-0:17"), receive("kinesis", "pay", "shardId-0:18")),
                        NO_LINKS),
                span(batch, "00000000000000e2", "00000000000000e1", "ledger", "internal", 1, null, Revisions.refs(),
                        NO_LINKS)).content());

        Span consumer = byId(spans, "00000000000000e1");
        assertThat(consumer.getLinksList()).extracting(l -> l.getTraceId(), l -> hex(l.getSpanId())).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ByteString.copyFrom(OtlpIds.transactionTraceId(TENANT, "tx-a")),
                        hex(OtlpIds.transactionSpanId(TENANT, "tx-a"))),
                org.assertj.core.groups.Tuple.tuple(ByteString.copyFrom(OtlpIds.transactionTraceId(TENANT, "tx-x")),
                        hex(OtlpIds.transactionSpanId(TENANT, "tx-x"))));
        assertThat(value(consumer, "messaging.batch.message_count").getIntValue()).isEqualTo(2);
        assertThat(byId(spans, "00000000000000e2").getLinksList()).as("only the receiving span").isEmpty();
    }

    @Test
    void aMessageWhoseProducerWasNeverSeenIsNoFanIn() {
        List<EncodedSpan> spans = TransactionTrace.of(Revisions.of("tx-b", 1).spans(
                span(CONSUMER, "00000000000000b1", null, "worker", "consumer", 0, null,
                        Revisions.refs(receive("sqs", "orders", "lost")), NO_LINKS)).content());

        assertThat(byId(spans, "00000000000000b1").getLinksList()).isEmpty();
        assertThat(attribute(byId(spans, "00000000000000b1"), "messaging.system")).isEqualTo("aws_sqs");
        assertThat(attribute(byId(spans, "00000000000000b1"), "messaging.message.id")).isEqualTo("lost");
    }

    @Test
    void invocationFactsGoOnTheInvocationsSpanAndATimeoutIsAnError() {
        List<EncodedSpan> spans = TransactionTrace.of(chain("tx-a", 1)
                .invocation(new Invocation("req-worker", "worker", true, 159.44, Double.NaN, 3000, 3000, 512, 206, true,
                        Invocation.TIMEOUT, null, true))
                .invocation(Invocation.of("req-api", "api")).content());

        Span worker = byId(spans, "00000000000000b1");
        assertThat(value(worker, "faas.coldstart").getBoolValue()).isTrue();
        assertThat(attribute(worker, "faas.invocation_id")).isEqualTo("req-worker");
        assertThat(value(worker, "faas.max_memory").getIntValue()).isEqualTo(512L << 20);
        assertThat(value(worker, "tracestitch.invocation.init_duration_ms").getDoubleValue()).isEqualTo(159.44);
        assertThat(value(worker, "tracestitch.invocation.billed_duration_ms").getDoubleValue()).isEqualTo(3000);
        assertThat(value(worker, "tracestitch.invocation.max_memory_used_mb").getDoubleValue()).isEqualTo(206);
        assertThat(value(worker, "tracestitch.invocation.timed_out").getBoolValue()).isTrue();
        assertThat(worker.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(attributes(byId(spans, "00000000000000b2"))).as("a child of the invocation's span")
                .doesNotContainKey("faas.coldstart");
        Span api = byId(spans, "00000000000000a1");
        assertThat(attributes(api)).as("no REPORT yet: cold start unknown").doesNotContainKey("faas.coldstart")
                .containsKey("faas.invocation_id");
        assertThat(api.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_UNSET);
    }

    @Test
    void kindsStatusAndAttributesAreCarriedOver() {
        io.tracestitch.model.Span odd = new io.tracestitch.model.Span(TENANT, "t-1", "s-1", null, "svc", "op",
                "weird", 1000, 1010, true, null, new io.tracestitch.model.MessageRef[0], NO_LINKS,
                "{\"http.status_code\":500,\"ratio\":0.5,\"tags\":[\"a\",\"b\"],\"nested\":{\"k\":true},\"gone\":null}");
        List<EncodedSpan> spans = TransactionTrace.of(Revisions.of("tx-t", 1).spans(odd).content());

        Span span = spans.get(1).span();
        assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_UNSPECIFIED);
        assertThat(attribute(span, "tracestitch.kind")).isEqualTo("weird");
        assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
        assertThat(value(span, "http.status_code").getIntValue()).isEqualTo(500);
        assertThat(value(span, "ratio").getDoubleValue()).isEqualTo(0.5);
        assertThat(value(span, "tags").getArrayValue().getValuesCount()).isEqualTo(2);
        assertThat(value(span, "nested").getKvlistValue().getValues(0).getValue().getBoolValue()).isTrue();
        assertThat(attributes(span)).doesNotContainKey("gone");
        assertThat(span.getSpanId().size()).as("a span id that is not 16 hex digits is hashed").isEqualTo(8);
        assertThat(attribute(span, TransactionTrace.ORIGINAL_SPAN_ID)).isEqualTo("s-1");
        assertThat(span.getStartTimeUnixNano()).isEqualTo(1_000_000_000L);
        assertThat(byKind(Revisions.of("tx-k", 1).spans(
                span(PRODUCER, "00000000000000a1", null, "api", "server", 0, null, Revisions.refs(), NO_LINKS)).content()))
                .isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    }

    @Test
    void theSameRevisionGivesTheSameSpansWhateverTheOrderOfItsSpans() {
        Revisions given = chain("tx-a", 1);
        List<EncodedSpan> first = TransactionTrace.of(given.content());
        RevisionContent content = given.content();
        List<io.tracestitch.model.Span> reversed = new java.util.ArrayList<>(content.spans());
        Collections.reverse(reversed);
        RevisionContent shuffled = new RevisionContent(content.tenant(), content.transactionId(), content.revision(),
                content.supersedes(), content.upstreamTransactions(), content.startMs(), content.endMs(),
                content.unmatchedMessages(), content.unmatchedLinks(), content.invocations(), reversed);

        assertThat(TransactionTrace.of(given.content())).isEqualTo(first);
        assertThat(TransactionTrace.of(shuffled)).containsExactlyInAnyOrderElementsOf(first);
    }

    @Test
    void twoTracesWithOneSpanIdGetTwoIds() {
        String other = "ffffffffffffffffffffffffffffffff";
        List<EncodedSpan> spans = TransactionTrace.of(Revisions.of("tx-s", 1).spans(
                span(PRODUCER, "0000000000000001", null, 0), span(other, "0000000000000001", null, 5),
                span(other, "0000000000000002", "0000000000000001", 6)).content());

        Map<String, EncodedSpan> byOriginal = spans.stream().skip(1).collect(Collectors.toMap(
                s -> attribute(s.span(), TransactionTrace.ORIGINAL_TRACE_ID) + "/" + hex(s.span().getSpanId()),
                s -> s, (x, y) -> x));
        assertThat(byOriginal).as("distinct ids").hasSize(3).containsKey(PRODUCER + "/0000000000000001");
        EncodedSpan renamed = spans.stream().filter(s -> other.equals(attribute(s.span(), TransactionTrace.ORIGINAL_TRACE_ID))
                && "0000000000000001".equals(attribute(s.span(), TransactionTrace.ORIGINAL_SPAN_ID))).findFirst().orElseThrow();
        assertThat(hex(byId(spans, "0000000000000002").getParentSpanId())).as("its child follows it")
                .isEqualTo(hex(renamed.span().getSpanId()));
    }

    private static Span.SpanKind byKind(RevisionContent content) {
        return TransactionTrace.of(content).get(1).span().getKind();
    }

    static Span byId(List<EncodedSpan> spans, String spanId) {
        return spans.stream().filter(s -> hex(s.span().getSpanId()).equals(spanId)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + spanId)).span();
    }

    static Map<String, AnyValue> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    static AnyValue value(Span span, String key) {
        AnyValue value = attributes(span).get(key);
        assertThat(value).as("attribute %s of %s", key, span.getName()).isNotNull();
        return value;
    }

    static String attribute(Span span, String key) {
        AnyValue value = attributes(span).get(key);
        return value == null ? null : value.getStringValue();
    }

    static String hex(ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    static String hex(long id) {
        return HexFormat.of().formatHex(OtlpIds.bytes(id));
    }
}
