package io.tracestitch.operators.output.otlp;

import static io.tracestitch.operators.output.otlp.Revisions.TENANT;
import static io.tracestitch.operators.output.otlp.Revisions.span;
import static io.tracestitch.operators.output.otlp.TransactionTraceTest.CONSUMER;
import static io.tracestitch.operators.output.otlp.TransactionTraceTest.PRODUCER;
import static io.tracestitch.operators.output.otlp.TransactionTraceTest.attribute;
import static io.tracestitch.operators.output.otlp.TransactionTraceTest.chain;
import static io.tracestitch.operators.output.otlp.TransactionTraceTest.hex;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.config.StitchOptions;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.Keys;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.testing.Harnesses;
import io.tracestitch.testing.KeyedStage;
import io.tracestitch.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OTLP stage under Flink's harness: each revision writes only what a trace UI has not been sent,
 * merges move spans into the absorbing trace and mark the superseded one once, state is as large as
 * the latest revision and expires with the horizon, and a huge transaction splits into requests.
 */
class OtlpExportFunctionTest {

    private static final long HORIZON = TestConfigs.HORIZON.toMillis();

    private KeyedStage<Tuple2<String, String>, TransactionRevision, TopicRecord> stage;

    private void open(StitchConfig config) throws Exception {
        stage = Harnesses.otlpExport(config, OtlpEncoding.OTLP_PROTO);
    }

    @AfterEach
    void close() throws Exception {
        stage.close();
    }

    @Test
    void aRevisionWritesOnlyTheSpansItAddsOrChanges() throws Exception {
        open(TestConfigs.bounded().build());
        send(Revisions.of("tx-a", 1).spans(TransactionTraceTest.API).build());
        assertThat(spanIds(drainSpans())).containsExactlyInAnyOrder(transactionSpan("tx-a"), "00000000000000a1");

        send(Revisions.of("tx-a", 2).spans(TransactionTraceTest.API).build());
        assertThat(stage.drain()).as("nothing changed: nothing written").isEmpty();

        send(chain("tx-a", 3).build());
        assertThat(spanIds(drainSpans())).as("the spans the revision adds")
                .containsExactlyInAnyOrder("00000000000000a2", "00000000000000b1", "00000000000000b2");

        send(chain("tx-a", 4).invocation(new Invocation("req-worker", "worker", true, 100, Double.NaN, 20, 21, 512,
                100, false, Invocation.SUCCESS, null, true)).build());
        List<Span> changed = drainSpans();
        assertThat(spanIds(changed)).as("the invocation's span, whose facts arrived").containsExactly("00000000000000b1");
        assertThat(TransactionTraceTest.value(changed.get(0), "faas.coldstart").getBoolValue()).isTrue();
        assertThat(stage.tally("otlpSpansOut")).isEqualTo(6);
        assertThat(stage.tally("otlpRequestsOut")).isEqualTo(3);
    }

    @Test
    void aMergeWritesTheAbsorbedSpansIntoTheSurvivorsTraceAndMarksTheSupersededTraceOnce() throws Exception {
        open(TestConfigs.bounded().build());
        TransactionRevision consumerAlone = Revisions.of("tx-b", 1).spans(
                span(CONSUMER, "00000000000000b1", null, 40), span(CONSUMER, "00000000000000b2", "00000000000000b1", 42))
                .build();
        send(consumerAlone);
        assertThat(drainSpans()).extracting(Span::getTraceId).containsOnly(traceId("tx-b"));

        send(chain("tx-a", 1).supersedes("tx-b").build());
        List<Span> merged = drainSpans();
        assertThat(merged.stream().filter(s -> s.getTraceId().equals(traceId("tx-a"))).map(s -> hex(s.getSpanId())))
                .containsExactlyInAnyOrder(transactionSpan("tx-a"), "00000000000000a1", "00000000000000a2",
                        "00000000000000b1", "00000000000000b2");
        Span marker = merged.stream().filter(s -> s.getTraceId().equals(traceId("tx-b"))).findFirst().orElseThrow();
        assertThat(hex(marker.getParentSpanId())).isEqualTo(transactionSpan("tx-b"));
        assertThat(attribute(marker, TransactionTrace.SUPERSEDED_BY)).isEqualTo("tx-a");
        assertThat(marker.getLinks(0).getTraceId()).isEqualTo(traceId("tx-a"));
        assertThat(hex(marker.getLinks(0).getSpanId())).isEqualTo(transactionSpan("tx-a"));

        send(chain("tx-a", 2).supersedes("tx-b").build());
        assertThat(stage.drain()).as("the marker is written once").isEmpty();
    }

    @Test
    void stateHoldsTheLatestRevisionOnlyEvenAtTheSpanCap() throws Exception {
        int cap = 50;
        open(TestConfigs.bounded().set(StitchOptions.MAX_SPANS_PER_TRANSACTION, cap).build());
        List<io.tracestitch.model.Span> spans = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            spans.add(span(PRODUCER, String.format("%016x", i + 1), i == 0 ? null : "0000000000000001", i));
        }
        send(Revisions.of("tx-a", 1).config(TestConfigs.bounded().set(StitchOptions.MAX_SPANS_PER_TRANSACTION, cap)
                .build()).spans(spans.toArray(new io.tracestitch.model.Span[0])).build());

        assertThat(drainSpans()).as("the listed spans and the transaction's").hasSize(cap + 1);
        assertThat(stage.stateEntries()).isOne();
        assertThat(emitted().spanIds).hasSize(cap + 1);
    }

    @Test
    void afterTheHorizonARevisionWritesItsSpansAgain() throws Exception {
        open(TestConfigs.endless().build());
        stage.setStateClock(0);
        send(chain("tx-a", 1).build());
        assertThat(drainSpans()).hasSize(5);
        stage.setStateClock(HORIZON - 1);
        send(chain("tx-a", 2).build());
        assertThat(stage.drain()).isEmpty();

        stage.setStateClock(HORIZON - 1 + HORIZON);
        send(chain("tx-a", 3).build());
        assertThat(drainSpans()).as("the entry expired: identical copies again").hasSize(5);
    }

    @Test
    void aHugeTransactionIsSplitIntoRequestsUnderKafkasRecordLimit() throws Exception {
        int count = 20_000;
        StitchConfig config = TestConfigs.bounded().set(StitchOptions.MAX_SPANS_PER_TRANSACTION, count).build();
        open(config);
        List<io.tracestitch.model.Span> spans = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            spans.add(span(i % 2 == 0 ? PRODUCER : CONSUMER, String.format("%016x", i + 1), null, i));
        }
        send(Revisions.of("tx-huge", 1).config(config).spans(spans.toArray(new io.tracestitch.model.Span[0])).build());

        List<TopicRecord> records = stage.drain();
        assertThat(records.size()).isGreaterThan(1);
        Set<ByteString> ids = new HashSet<>();
        for (TopicRecord record : records) {
            assertThat(record.value().length).isLessThan(1 << 20);
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(TENANT + "/tx-huge");
            ExportTraceServiceRequest.parseFrom(record.value()).getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
                    .forEach(ss -> ss.getSpansList().forEach(s -> assertThat(ids.add(s.getSpanId())).isTrue())));
        }
        assertThat(ids).hasSize(count + 1);
    }

    private void send(TransactionRevision revision) throws Exception {
        stage.add(revision, 0);
    }

    private List<Span> drainSpans() throws Exception {
        List<Span> spans = new ArrayList<>();
        for (TopicRecord record : stage.drain()) {
            ExportTraceServiceRequest.parseFrom(record.value()).getResourceSpansList()
                    .forEach(rs -> rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList())));
        }
        return spans;
    }

    private EmittedSpans emitted() throws Exception {
        return stage.value(Keys.of(TENANT, "tx-a"),
                new ValueStateDescriptor<>("otlp-emitted", Types.POJO(EmittedSpans.class)));
    }

    private static List<String> spanIds(List<Span> spans) {
        return spans.stream().map(s -> hex(s.getSpanId())).toList();
    }

    private static String transactionSpan(String transactionId) {
        return hex(OtlpIds.transactionSpanId(TENANT, transactionId));
    }

    private static ByteString traceId(String transactionId) {
        return ByteString.copyFrom(OtlpIds.transactionTraceId(TENANT, transactionId));
    }
}
