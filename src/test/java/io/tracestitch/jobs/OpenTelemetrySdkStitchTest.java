package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.testing.Changelog;
import io.tracestitch.testing.FinalView;
import io.tracestitch.testing.MiniClusters;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans made by the real OpenTelemetry Java SDK, serialized by its own OTLP marshalling
 * ({@link TraceRequestMarshaler}), with the attributes the AWS SDK and Lambda instrumentations set
 * plus the project's id convention for SNS and Kinesis, for the chain API Lambda → SNS publish →
 * two subscriber Lambdas → Kinesis put → batch consumer with records from two requests → SQS →
 * Lambda. Stitched through {@code stitch --otlp} (protobuf and JSON) into the transactions the
 * stitching rules define.
 */
class OpenTelemetrySdkStitchTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.shared();

    private static final String ACCOUNT = "111111111111";
    private static final String TOPIC = "arn:aws:sns:us-east-1:" + ACCOUNT + ":orders";
    private static final String QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/" + ACCOUNT + "/ledger-events";
    private static final long T0 = TimeUnit.MILLISECONDS.toNanos(1_732_400_000_000L);

    @TempDir
    Path dir;

    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final List<SdkTracerProvider> providers = new ArrayList<>();

    @BeforeEach
    void clear() {
        exported.reset();
    }

    /** One Lambda function: its own resource, as the Lambda layer's resource detector gives it. */
    private Tracer function(String name) {
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.builder()
                        .put("service.name", name).put("faas.name", name).put("cloud.provider", "aws")
                        .put("cloud.region", "us-east-1").build())))
                .addSpanProcessor(SimpleSpanProcessor.create(exported)).build();
        providers.add(provider);
        return provider.get("io.opentelemetry.aws-lambda-core-1.0");
    }

    /** The invocation span the Lambda instrumentation starts: SERVER, request id, account, function ARN. */
    private static Span invocation(Tracer tracer, String function, String requestId, long atMs, SpanContext parent) {
        var builder = tracer.spanBuilder(function).setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(T0 + TimeUnit.MILLISECONDS.toNanos(atMs), TimeUnit.NANOSECONDS)
                .setAttribute("faas.invocation_id", requestId)
                .setAttribute("cloud.account.id", ACCOUNT)
                .setAttribute("cloud.resource_id", "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + function);
        if (parent != null) {
            builder.setParent(Context.root().with(Span.wrap(parent)));
        } else {
            builder.setNoParent();
        }
        return builder.startSpan();
    }

    private static Span child(Tracer tracer, String name, SpanKind kind, Span parent, long atMs) {
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(Context.root().with(parent))
                .setStartTimestamp(T0 + TimeUnit.MILLISECONDS.toNanos(atMs), TimeUnit.NANOSECONDS)
                .setAttribute("rpc.system", "aws-api").startSpan();
    }

    private static void end(Span span, long atMs) {
        span.end(T0 + TimeUnit.MILLISECONDS.toNanos(atMs), TimeUnit.NANOSECONDS);
    }

    /** Trace ids by role, after running the chain. */
    private Map<String, String> runTheChain() {
        Map<String, String> traces = new TreeMap<>();
        SpanContext paymentsPut = null;

        // API Lambda: publishes to SNS. The Java AWS SDK instrumentation makes Publish a CLIENT span
        // without the MessageId; the producer adds it by the project's convention.
        Tracer api = function("orders-api");
        Span order = invocation(api, "orders-api", "req-api", 0, null);
        Span publish = child(api, "SNS.Publish", SpanKind.CLIENT, order, 10);
        publish.setAttribute("rpc.service", "SNS");
        publish.setAttribute("rpc.method", "Publish");
        publish.setAttribute("aws.sns.topic.arn", TOPIC);
        publish.setAttribute("messaging.destination.name", TOPIC);
        publish.setAttribute("messaging.system", "aws.sns");
        publish.setAttribute("messaging.message.id", "sns-msg-1");
        end(publish, 30);
        end(order, 40);
        traces.put("api", order.getSpanContext().getTraceId());

        // Two subscribers; the SNS trigger is not instrumented upstream: the consumer names the message itself.
        for (String subscriber : List.of("payments", "shipping")) {
            Tracer tracer = function(subscriber);
            Span invoked = invocation(tracer, subscriber, "req-" + subscriber, 100, null);
            invoked.setAttribute(AttributeKey.stringKey("faas.trigger"), "pubsub");
            Span receive = child(tracer, "orders process", SpanKind.CONSUMER, invoked, 101);
            receive.setAttribute("messaging.system", "aws.sns");
            receive.setAttribute("messaging.operation.type", "process");
            receive.setAttribute("messaging.destination.name", TOPIC);
            receive.setAttribute("messaging.message.id", "sns-msg-1");
            end(receive, 102);
            if (subscriber.equals("payments")) {
                paymentsPut = putRecord(tracer, invoked, "49590338271490256608559692538361571095921575989136588898");
            }
            end(invoked, 200);
            traces.put(subscriber, invoked.getSpanContext().getTraceId());
        }

        // Another request's Lambda puts a record on the same stream: its own transaction.
        Tracer refunds = function("refunds-api");
        Span refund = invocation(refunds, "refunds-api", "req-refund", 150, null);
        SpanContext refundPut = putRecord(refunds, refund, "49590338271490256608559692538361571095921575989136588899");
        end(refund, 190);
        traces.put("refunds", refund.getSpanContext().getTraceId());

        // The batch consumer reads both records: one span link per record, to the context each record
        // carried (the SDK drops links without a valid context), with the record's shard and sequence number.
        Tracer ledger = function("ledger");
        Span batch = invocation(ledger, "ledger", "req-ledger", 1_000, null);
        Span process = child(ledger, "pay process", SpanKind.CONSUMER, batch, 1_001);
        process.setAttribute("messaging.system", "aws_kinesis");
        process.setAttribute("messaging.operation.type", "process");
        process.setAttribute("messaging.destination.name", "pay");
        process.setAttribute("messaging.batch.message_count", 2L);
        end(process, 1_002);
        // Links are set at span creation in the API: a second consumer span carries them.
        Span withLinks = ledger.spanBuilder("pay process records").setSpanKind(SpanKind.CONSUMER)
                .setParent(Context.root().with(batch))
                .setStartTimestamp(T0 + TimeUnit.MILLISECONDS.toNanos(1_003), TimeUnit.NANOSECONDS)
                .setAttribute("messaging.system", "aws_kinesis").setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", "pay")
                .addLink(paymentsPut, Attributes.builder()
                        .put("messaging.destination.partition.id", "shardId-000000000000")
                        .put("messaging.message.id", "49590338271490256608559692538361571095921575989136588898").build())
                .addLink(refundPut, Attributes.builder()
                        .put("messaging.destination.partition.id", "shardId-000000000000")
                        .put("messaging.message.id", "49590338271490256608559692538361571095921575989136588899").build())
                .startSpan();
        end(withLinks, 1_010);
        // ... and sends to SQS: the Java instrumentation's PRODUCER span with the response MessageId.
        Span send = child(ledger, "ledger-events send", SpanKind.PRODUCER, batch, 1_020);
        send.setAttribute("messaging.system", "aws_sqs");
        send.setAttribute("messaging.operation.type", "send");
        send.setAttribute("messaging.destination.name", "ledger-events");
        send.setAttribute("aws.sqs.queue.url", QUEUE_URL);
        send.setAttribute("messaging.message.id", "sqs-msg-1");
        end(send, 1_030);
        end(batch, 1_040);
        traces.put("ledger", batch.getSpanContext().getTraceId());

        // The SQS-triggered Lambda: the instrumentation's CONSUMER span links to the AWSTraceHeader context,
        // the link carrying messaging.message.id (stable messaging conventions).
        Tracer notifier = function("notifier");
        Span notified = invocation(notifier, "notifier", "req-notifier", 1_200, null);
        Span consume = notifier.spanBuilder("ledger-events process").setSpanKind(SpanKind.CONSUMER)
                .setParent(Context.root().with(notified))
                .setStartTimestamp(T0 + TimeUnit.MILLISECONDS.toNanos(1_201), TimeUnit.NANOSECONDS)
                .setAttribute("messaging.system", "aws_sqs").setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.destination.name", "ledger-events")
                .addLink(send.getSpanContext(), Attributes.builder().put("messaging.message.id", "sqs-msg-1").build())
                .startSpan();
        consume.setStatus(StatusCode.ERROR, "handler threw");
        consume.recordException(new IllegalStateException("boom"));
        end(consume, 1_250);
        end(notified, 1_260);
        traces.put("notifier", notified.getSpanContext().getTraceId());
        return traces;
    }

    /** A Kinesis PutRecord: the Java instrumentation's CLIENT span, plus shard and sequence number by convention. */
    private static SpanContext putRecord(Tracer tracer, Span parent, String sequenceNumber) {
        Span put = child(tracer, "Kinesis.PutRecord", SpanKind.CLIENT, parent, 150);
        put.setAttribute("rpc.service", "Kinesis");
        put.setAttribute("rpc.method", "PutRecord");
        put.setAttribute("aws.kinesis.stream_name", "pay");
        put.setAttribute("messaging.system", "aws_kinesis");
        put.setAttribute("messaging.destination.name", "pay");
        put.setAttribute("messaging.destination.partition.id", "shardId-000000000000");
        put.setAttribute("messaging.message.id", sequenceNumber);
        end(put, 160);
        return put.getSpanContext();
    }

    /** Each function's spans as one request, as the Lambda layer flushes them at the end of an invocation. */
    private List<TraceRequestMarshaler> requests() {
        Map<String, List<SpanData>> byService = new TreeMap<>();
        for (SpanData span : exported.getFinishedSpanItems()) {
            byService.computeIfAbsent(span.getResource().getAttribute(AttributeKey.stringKey("service.name")),
                    s -> new ArrayList<>()).add(span);
        }
        return byService.values().stream().map(TraceRequestMarshaler::create).toList();
    }

    private FinalView stitch(Path spans, int parallelism) throws Exception {
        Path logs = Files.writeString(dir.resolve("logs.ndjson"), "{\"type\":\"log\",\"tenant\":\"" + ACCOUNT
                + "\",\"function\":\"orders-api\",\"timestampMs\":1732400000041,\"message\":\"REPORT RequestId: req-api\\t"
                + "Duration: 40.00 ms\\tBilled Duration: 40 ms\\tMemory Size: 512 MB\\tMax Memory Used: 80 MB\\t"
                + "Init Duration: 300.00 ms\\t\"}\n");
        Path output = dir.resolve(spans.getFileName() + ".out.ndjson");
        Path deadLetters = dir.resolve(spans.getFileName() + ".dead.ndjson");
        StitchRun.run(StitchRun.Files.checked(List.of(logs), List.of(spans), output, deadLetters, null,
                "cloud.account.id"),
                StitchConfig.defaults(), parallelism);
        Changelog.assertValid(output);
        assertThat(Files.readAllLines(deadLetters)).isEmpty();
        return FinalView.of(output);
    }

    @Test
    void theChainFromTheSdkIsStitchedIntoItsTransactions() throws Exception {
        Map<String, String> trace = runTheChain();
        List<TraceRequestMarshaler> requests = requests();
        assertThat(exported.getFinishedSpanItems()).hasSize(15);
        providers.forEach(SdkTracerProvider::close); // after reading: shutting the exporter down empties it
        ByteArrayOutputStream proto = new ByteArrayOutputStream();
        StringBuilder json = new StringBuilder();
        try (DataOutputStream out = new DataOutputStream(proto)) {
            for (TraceRequestMarshaler request : requests) {
                out.writeInt(request.getBinarySerializedSize());
                request.writeBinaryTo(out);
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                request.writeJsonTo(line);
                json.append(line.toString(StandardCharsets.UTF_8)).append('\n');
            }
        }
        Path protoFile = Files.write(dir.resolve("spans.binpb"), proto.toByteArray());
        Path jsonFile = Files.writeString(dir.resolve("spans.jsonl"), json);

        for (FinalView view : List.of(stitch(protoFile, 2), stitch(jsonFile, 1))) {
            Map<String, FinalView.Txn> bySet = new TreeMap<>();
            view.transactions().forEach(t -> bySet.put(String.join(",", t.traces()), t));
            String front = sorted(trace.get("api"), trace.get("payments"), trace.get("shipping"));
            String back = sorted(trace.get("ledger"), trace.get("notifier"));
            assertThat(bySet.keySet()).containsExactlyInAnyOrder(front, trace.get("refunds"), back);
            assertThat(view.transactions()).allMatch(t -> t.tenant().equals(ACCOUNT));
            FinalView.Txn frontTxn = bySet.get(front);
            assertThat(frontTxn.invocations()).isEqualTo(3);
            assertThat(frontTxn.coldStarts()).as("the API Lambda's REPORT line, native, joined to its OTLP span").isEqualTo(1);
            FinalView.Txn fanIn = bySet.get(back);
            assertThat(fanIn.upstreamIds()).as("the batch consumer read records of two requests")
                    .containsExactlyInAnyOrder(frontTxn.transactionId(), bySet.get(trace.get("refunds")).transactionId());
            assertThat(fanIn.unmatched()).isZero();
        }
    }

    private static String sorted(String... traces) {
        return String.join(",", java.util.Arrays.stream(traces).sorted().toList());
    }
}
