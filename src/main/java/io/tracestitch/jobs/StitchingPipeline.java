package io.tracestitch.jobs;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.Keys;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.operators.ContentStore;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.HopPairing;
import io.tracestitch.operators.InvocationJoin;
import io.tracestitch.operators.ParseFunction;
import io.tracestitch.operators.TraceAssembler;
import io.tracestitch.operators.TransactionAssembler;
import io.tracestitch.operators.TransactionResolverFunction;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The stitching graph, from input lines to transaction revisions (UTF-8 JSON lines) and dead letters.
 * Sources and sinks are attached by the caller. Keys per stage: see the README's design section.
 */
public final class StitchingPipeline {

    public record Outputs(DataStream<byte[]> transactions, DataStream<DeadLetter> deadLetters) {}

    private StitchingPipeline() {}

    public static Outputs build(DataStream<String> lines, StitchConfig config) {
        SingleOutputStreamOperator<Span> parsed = lines
                .process(new ParseFunction()).uid(OperatorIds.PARSE).name("Parse");
        Duration outOfOrderness = Duration.ofMillis(config.outOfOrdernessMs());
        DataStream<Span> spans = parsed.assignTimestampsAndWatermarks(
                        WatermarkStrategy.<Span>forBoundedOutOfOrderness(outOfOrderness)
                                .withTimestampAssigner((span, previous) -> span.eventTimeMs()))
                .uid(OperatorIds.SPAN_WATERMARKS).name("Span watermarks");
        DataStream<LogFact> logs = parsed.getSideOutput(ParseFunction.LOGS).assignTimestampsAndWatermarks(
                        WatermarkStrategy.<LogFact>forBoundedOutOfOrderness(outOfOrderness)
                                .withTimestampAssigner((log, previous) -> log.timestampMs()))
                .uid(OperatorIds.LOG_WATERMARKS).name("Log watermarks");

        SingleOutputStreamOperator<ContentInput> closedTraces = spans
                .keyBy(TraceAssembler::keyOf, Keys.TYPE)
                .process(new TraceAssembler(config)).uid(OperatorIds.ASSEMBLE_TRACES).name("Assemble traces");

        DataStream<HopSide> hopSides = closedTraces.getSideOutput(TraceAssembler.HOP_SIDES);
        DataStream<ResolverInput> hops = hopSides
                .keyBy(HopSide::joinKey)
                .process(new HopPairing(config)).uid(OperatorIds.PAIR_HOPS).name("Pair hops");

        DataStream<RequestFact> requestFacts = closedTraces.getSideOutput(TraceAssembler.REQUESTS);
        SingleOutputStreamOperator<ContentInput> invocations = logs
                .connect(requestFacts)
                .keyBy(InvocationJoin::keyOf, InvocationJoin::keyOf, Keys.TYPE)
                .process(new InvocationJoin(config)).uid(OperatorIds.JOIN_INVOCATIONS).name("Join invocations");

        SingleOutputStreamOperator<AssemblyInput> plans = closedTraces.getSideOutput(TraceAssembler.TRACES)
                .union(hops, invocations.getSideOutput(InvocationJoin.TOUCHES))
                .keyBy(ResolverInput::tenant)
                .process(new TransactionResolverFunction(config))
                .uid(OperatorIds.RESOLVE_TRANSACTIONS).name("Resolve transactions");

        SingleOutputStreamOperator<AssemblyInput> memberContent = closedTraces
                .union(invocations, plans.getSideOutput(TransactionResolverFunction.CONTENT_REQUESTS))
                .keyBy(ContentInput::key, Keys.TYPE)
                .process(new ContentStore(config)).uid(OperatorIds.STORE_CONTENT).name("Store trace content");

        DataStream<byte[]> transactions = plans.union(memberContent)
                .keyBy(AssemblyInput::key, Keys.TYPE)
                .process(new TransactionAssembler(config))
                .uid(OperatorIds.ASSEMBLE_TRANSACTIONS).name("Assemble transactions");

        DataStream<DeadLetter> deadLetters = parsed.getSideOutput(DeadLetters.TAG)
                .union(closedTraces.getSideOutput(DeadLetters.TAG));
        return new Outputs(transactions, deadLetters);
    }
}
