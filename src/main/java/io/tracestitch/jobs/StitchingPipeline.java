package io.tracestitch.jobs;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.Keys;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.ParsedInput;
import io.tracestitch.model.PlanOutcome;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.content.ContentStoreFunction;
import io.tracestitch.operators.hop.HopPairingFunction;
import io.tracestitch.operators.ingest.ParseFunction;
import io.tracestitch.operators.ingest.RouteFunction;
import io.tracestitch.operators.invocation.InvocationJoinFunction;
import io.tracestitch.operators.output.LineOrderFunction;
import io.tracestitch.operators.output.TransactionAssemblerFunction;
import io.tracestitch.operators.output.otlp.OtlpExportFunction;
import io.tracestitch.operators.resolve.TransactionResolverFunction;
import io.tracestitch.operators.trace.TraceAssemblerFunction;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The stitching graph, from input records (native lines, or OTLP requests) to transaction revisions
 * (UTF-8 JSON lines) and dead letters. Sources and sinks are attached by the caller. Keys per stage: see the README's design section.
 */
public final class StitchingPipeline {

    public record Outputs(DataStream<TransactionRevision> transactions, DataStream<DeadLetter> deadLetters) {}

    private StitchingPipeline() {}

    /** Records of files in one format: native NDJSON lines, or OTLP requests. */
    public record Records(DataStream<byte[]> records, RecordFormat format) {}

    /**
     * Records of files (one stream per format, at least one): each parsed by its format, then
     * watermarks per subtask over all of them, spans and logs each with their own.
     */
    public static Outputs build(List<Records> inputs, String otlpTenantAttribute, StitchConfig config) {
        DataStream<Span> parsedSpans = null;
        DataStream<LogFact> parsedLogs = null;
        DataStream<DeadLetter> rejected = null;
        for (Records input : inputs) {
            String uid = input.format() == RecordFormat.NDJSON ? OperatorIds.PARSE : OperatorIds.PARSE + "-" + input.format().text();
            SingleOutputStreamOperator<Span> parsed = input.records()
                    .process(new ParseFunction(input.format(), otlpTenantAttribute)).uid(uid)
                    .name(input.format() == RecordFormat.NDJSON ? "Parse" : "Parse " + input.format().text());
            parsedSpans = parsedSpans == null ? parsed : parsedSpans.union(parsed);
            DataStream<LogFact> logs = parsed.getSideOutput(ParseFunction.LOGS);
            parsedLogs = parsedLogs == null ? logs : parsedLogs.union(logs);
            DataStream<DeadLetter> deadLetters = parsed.getSideOutput(DeadLetters.TAG);
            rejected = rejected == null ? deadLetters : rejected.union(deadLetters);
        }
        Duration outOfOrderness = Duration.ofMillis(config.outOfOrdernessMs());
        DataStream<Span> spans = parsedSpans.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Span>forBoundedOutOfOrderness(outOfOrderness)
                                .withTimestampAssigner((span, previous) -> span.eventTimeMs()))
                .uid(OperatorIds.SPAN_WATERMARKS).name("Span watermarks");
        DataStream<LogFact> logs = parsedLogs.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<LogFact>forBoundedOutOfOrderness(outOfOrderness)
                                .withTimestampAssigner((log, previous) -> log.timestampMs()))
                .uid(OperatorIds.LOG_WATERMARKS).name("Log watermarks");
        return stitch(spans, logs, rejected, config);
    }

    /**
     * What streaming sources parsed, already stamped with event time and watermarks (per partition,
     * {@link io.tracestitch.operators.ingest.EventTimeWatermarks}).
     */
    public static Outputs fromParsed(DataStream<ParsedInput> parsed, StitchConfig config) {
        SingleOutputStreamOperator<Span> spans = parsed
                .process(new RouteFunction()).uid(OperatorIds.ROUTE).name("Route records");
        return stitch(spans, spans.getSideOutput(ParseFunction.LOGS), spans.getSideOutput(DeadLetters.TAG), config);
    }

    /**
     * The revisions as OTLP requests ({@link OtlpExportFunction}: each span once per trace UI), as
     * records keyed {@code <tenant>/<transactionId>}.
     */
    public static DataStream<TopicRecord> otlp(DataStream<TransactionRevision> transactions, StitchConfig config,
            OtlpEncoding encoding) {
        return transactions
                .keyBy(OtlpExportFunction::keyOf, Keys.TYPE)
                .process(new OtlpExportFunction(config, encoding)).uid(OperatorIds.OTLP_SPANS).name("OTLP spans");
    }

    private static Outputs stitch(DataStream<Span> spans, DataStream<LogFact> logs, DataStream<DeadLetter> rejected,
            StitchConfig config) {
        SingleOutputStreamOperator<ContentInput> closedTraces = spans
                .keyBy(TraceAssemblerFunction::keyOf, Keys.TYPE)
                .process(new TraceAssemblerFunction(config)).uid(OperatorIds.ASSEMBLE_TRACES).name("Assemble traces");

        DataStream<HopSide> hopSides = closedTraces.getSideOutput(TraceAssemblerFunction.HOP_SIDES);
        DataStream<ResolverInput> hops = hopSides
                .keyBy(HopSide::key, TypeInformation.of(JoinKey.class))
                .process(new HopPairingFunction(config)).uid(OperatorIds.PAIR_HOPS).name("Pair hops");

        DataStream<RequestFact> requestFacts = closedTraces.getSideOutput(TraceAssemblerFunction.REQUESTS);
        SingleOutputStreamOperator<ContentInput> invocations = logs
                .connect(requestFacts)
                .keyBy(InvocationJoinFunction::keyOf, InvocationJoinFunction::keyOf, Keys.TYPE)
                .process(new InvocationJoinFunction(config)).uid(OperatorIds.JOIN_INVOCATIONS).name("Join invocations");

        SingleOutputStreamOperator<AssemblyInput> plans = closedTraces.getSideOutput(TraceAssemblerFunction.TRACES)
                .union(hops, invocations.getSideOutput(InvocationJoinFunction.TOUCHES))
                .keyBy(ResolverInput::tenant)
                .process(new TransactionResolverFunction(config))
                .uid(OperatorIds.RESOLVE_TRANSACTIONS).name("Resolve transactions");

        SingleOutputStreamOperator<AssemblyInput> memberContent = closedTraces
                .union(invocations, plans.getSideOutput(TransactionResolverFunction.CONTENT_REQUESTS))
                .keyBy(ContentInput::key, Keys.TYPE)
                .process(new ContentStoreFunction(config)).uid(OperatorIds.STORE_CONTENT).name("Store trace content");

        DataStream<TransactionRevision> transactions = plans.union(memberContent)
                .keyBy(AssemblyInput::key, Keys.TYPE)
                .process(new TransactionAssemblerFunction(config))
                .uid(OperatorIds.ASSEMBLE_TRANSACTIONS).name("Assemble transactions")
                .keyBy(PlanOutcome::tenant)
                .process(new LineOrderFunction()).uid(OperatorIds.ORDER_LINES).name("Order lines");

        DataStream<DeadLetter> deadLetters = rejected.union(closedTraces.getSideOutput(DeadLetters.TAG));
        return new Outputs(transactions, deadLetters);
    }
}
