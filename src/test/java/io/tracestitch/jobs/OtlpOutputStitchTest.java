package io.tracestitch.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tracestitch.config.RunOptions;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.output.otlp.OtlpIds;
import io.tracestitch.operators.output.otlp.RevisionContent;
import io.tracestitch.operators.output.otlp.TransactionTrace;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.MiniClusters;
import io.tracestitch.testing.OtlpEncoding;
import io.tracestitch.testing.OtlpLines;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Round trip: the samples stitched with {@code --otlp-output} (from their native lines, and from
 * their spans as OTLP), the OTLP/JSON read back with opentelemetry-proto. Each transaction of the final view is one trace holding each of its spans,
 * whose last copy is the final revision's form, and no span written twice alike; every span hangs
 * from a span of the trace (one root, the transaction's, or an orphan of the input), consumer traces
 * from the producer span of a hop, fan-in as links, and every superseded trace says where it went.
 */
class OtlpOutputStitchTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0} p={1} in {2}")
    @CsvSource({"small, 1, ndjson", "small, 4, ndjson", "late, 2, ndjson", "formats, 2, ndjson",
            "small, 2, otlp_proto", "formats, 2, otlp_json"})
    void everyTransactionIsOneTraceWithEachSpanOnce(String sample, int parallelism, String input, @TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("transactions.ndjson");
        Path otlp = dir.resolve("otlp.jsonl");
        StitchRun.run(inputFiles(sample, input, dir, out, otlp), StitchConfig.defaults(), parallelism);

        Map<ByteString, List<Span>> written = new LinkedHashMap<>();
        for (ExportTraceServiceRequest request : OtlpLines.read(otlp)) {
            for (ResourceSpans resource : request.getResourceSpansList()) {
                assertThat(resource.getResource().getAttributesList()).extracting(KeyValue::getKey)
                        .containsExactly("service.name", "cloud.account.id");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    scope.getSpansList().forEach(s -> written.computeIfAbsent(s.getTraceId(), t -> new ArrayList<>()).add(s));
                }
            }
        }
        FinalView view = FinalView.of(out);
        int resent = 0;
        Set<String> superseded = new HashSet<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            JsonNode record = JSON.readTree(line);
            record.path("supersedes").forEach(id -> superseded.add(record.path("tenant").asText() + "|" + id.asText()));
        }
        for (JsonNode record : view.finalRecords()) {
            String tenant = record.path("tenant").asText();
            String id = record.path("transactionId").asText();
            List<Span> copies = written.get(ByteString.copyFrom(OtlpIds.transactionTraceId(tenant, id)));
            assertThat(copies).as("the trace of %s", id).isNotNull();
            Map<ByteString, Span> latest = new LinkedHashMap<>();
            Set<Span> distinct = new HashSet<>();
            for (Span copy : copies) {
                assertThat(distinct.add(copy)).as("%s: a span written twice alike: %s", id, copy.getName()).isTrue();
                resent += latest.put(copy.getSpanId(), copy) != null ? 1 : 0;
            }
            List<Span> finalForm = TransactionTrace.of(RevisionContent.of(revision(record))).stream()
                    .map(TransactionTrace.EncodedSpan::span).toList();
            assertThat(record.path("spans").size()).isEqualTo(finalForm.size() - 1);
            assertThat(latest).as("%s: its transaction span, written once with its first revision's times", id)
                    .containsKey(finalForm.get(0).getSpanId());
            for (Span span : finalForm.subList(1, finalForm.size())) {
                assertThat(latest.get(span.getSpanId())).as("%s: the last copy of %s is its final form", id, span.getName())
                        .isEqualTo(span);
            }
            assertTree(id, finalForm, record);
            assertHopsAndFanIn(id, tenant, finalForm, record);
        }
        for (String tenantAndId : superseded) {
            String[] parts = tenantAndId.split("\\|", 2);
            List<Span> old = written.get(ByteString.copyFrom(OtlpIds.transactionTraceId(parts[0], parts[1])));
            assertThat(old).as("the superseded %s's trace", parts[1]).isNotNull();
            assertThat(old).as("%s says where it went", parts[1]).anyMatch(s -> s.getName().startsWith("merged into "));
        }
        System.out.printf("%s p=%d: %d transactions, %d superseded, %d spans written again changed%n", sample,
                parallelism, view.finalRecords().size(), superseded.size(), resent);
    }

    /**
     * The sample as given ({@code ndjson}), or OTLP in and out: its spans re-encoded as OTLP/JSON lines
     * or length-prefixed protobuf ({@link OtlpEncoding}), its other lines native beside them.
     */
    private static StitchRun.Files inputFiles(String sample, String input, Path dir, Path out, Path otlp)
            throws Exception {
        String tenantAttribute = RunOptions.INPUT_OTLP_TENANT_ATTRIBUTE.defaultValue();
        if (input.equals("ndjson")) {
            return new StitchRun.Files(List.of(resource(sample + ".ndjson")), List.of(), out, null, otlp, tenantAttribute);
        }
        OtlpEncoding.Encoded encoded = OtlpEncoding.encode(Files.readAllLines(resource(sample + ".ndjson")));
        OtlpEncoding.Written written = encoded.write(dir, sample, input.equals("otlp_proto"));
        return new StitchRun.Files(List.of(written.logs()), List.of(written.spans()), out, null, otlp, tenantAttribute);
    }

    /** One root, the transaction's span; every other span's parent is in the trace or was never in the input. */
    private static void assertTree(String id, List<Span> spans, JsonNode record) {
        Map<ByteString, Span> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s.getSpanId(), s));
        Set<String> inputIds = new HashSet<>();
        record.path("spans").forEach(s -> inputIds.add(s.path("traceId").asText() + "/" + s.path("spanId").asText()));
        assertThat(spans.get(0).getParentSpanId()).as("%s: the transaction span is the root", id).isEmpty();
        for (Span span : spans.subList(1, spans.size())) {
            Span current = span;
            for (int steps = 0; current != null && !current.getParentSpanId().isEmpty(); steps++) {
                assertThat(steps).as("%s: a parent cycle at %s", id, span.getName()).isLessThan(spans.size());
                Span parent = byId.get(current.getParentSpanId());
                if (parent == null) {
                    assertThat(orphanOfInput(current, record, inputIds)).as("%s: %s has a parent outside the trace", id,
                            current.getName()).isTrue();
                }
                current = parent;
            }
        }
    }

    /** A span of the input whose parent the input never had. */
    private static boolean orphanOfInput(Span span, JsonNode record, Set<String> inputIds) {
        for (JsonNode s : record.path("spans")) {
            if (OtlpIds.spanId(s.path("traceId").asText(), s.path("spanId").asText())
                    == java.nio.ByteBuffer.wrap(span.getSpanId().toByteArray()).getLong()) {
                String parent = s.path("parentSpanId").asText("");
                return !parent.isEmpty() && !inputIds.contains(s.path("traceId").asText() + "/" + parent);
            }
        }
        return false;
    }

    private static void assertHopsAndFanIn(String id, String tenant, List<Span> spans, JsonNode record) {
        Map<ByteString, Span> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s.getSpanId(), s));
        for (JsonNode edge : record.path("edges")) {
            if (!edge.path("type").asText().equals("hop")) {
                continue;
            }
            String consumer = edge.path("consumerTraceId").asText();
            boolean hasRoot = false;
            for (JsonNode s : record.path("spans")) {
                hasRoot |= s.path("traceId").asText().equals(consumer) && s.path("parentSpanId").isNull();
            }
            if (!hasRoot) {
                continue;
            }
            assertThat(spans).as("%s: consumer trace %s hangs from a producer span of the transaction", id, consumer)
                    .anyMatch(s -> consumer.equals(attribute(s, "tracestitch.original_trace_id"))
                            && attribute(s, "tracestitch.hop.producer_trace_id") != null
                            && byId.containsKey(s.getParentSpanId())
                            && attribute(s, "tracestitch.hop.producer_trace_id").equals(
                                    attribute(byId.get(s.getParentSpanId()), "tracestitch.original_trace_id")));
        }
        for (JsonNode upstream : record.path("upstreamTransactions")) {
            ByteString upstreamTrace = ByteString.copyFrom(OtlpIds.transactionTraceId(tenant, upstream.asText()));
            assertThat(spans).as("%s: a link to its upstream %s", id, upstream.asText())
                    .anyMatch(s -> s.getLinksList().stream().anyMatch(l -> l.getTraceId().equals(upstreamTrace)));
        }
    }

    private static String attribute(Span span, String key) {
        return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
                .map(a -> a.getValue().getStringValue()).orElse(null);
    }

    private static TransactionRevision revision(JsonNode record) throws Exception {
        List<String> supersedes = new ArrayList<>();
        record.path("supersedes").forEach(s -> supersedes.add(s.asText()));
        return new TransactionRevision(record.path("tenant").asText(), record.path("transactionId").asText(),
                record.path("revision").asInt(), supersedes.toArray(new String[0]), JSON.writeValueAsBytes(record));
    }

    private static Path resource(String name) throws Exception {
        return Path.of(OtlpOutputStitchTest.class.getResource("/samples/" + name).toURI());
    }
}
