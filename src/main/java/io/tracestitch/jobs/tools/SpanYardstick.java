package io.tracestitch.jobs.tools;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.jobs.LineFileSink;
import io.tracestitch.model.Json;
import io.tracestitch.model.Keys;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.Span;
import io.tracestitch.operators.trace.TraceDigests;
import io.tracestitch.model.SpanSerializer;
import io.tracestitch.operators.Timers;
import io.tracestitch.operators.invocation.InvocationJoinFunction;
import io.tracestitch.operators.trace.TraceAssemblerFunction;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Yardstick (b2): a pipeline that moves the data the job must move and does nothing else. Parse →
 * keyBy {@code (tenant, traceId)} buffering each trace's spans serialized (with the job's
 * {@link SpanSerializer}) under one event-time gap timer, as {@link TraceAssemblerFunction} does;
 * logs keyed by {@code (tenant, requestId)} with a gap timer of their own, as (b) does → each closed
 * trace's spans across a second keyed exchange → every span rendered as a JSON line → one file at
 * parallelism 1, through the job's own sink. No stitching: no hop pairing, resolver, invocations or
 * transaction records.
 */
final class SpanYardstick {

    private static final TypeInformation<Span[]> SPANS = Types.OBJECT_ARRAY(TypeInformation.of(Span.class));

    private SpanYardstick() {}

    static Object run(Path input, Path output, int parallelism) throws Exception {
        StreamExecutionEnvironment env = Benchmark.environment(parallelism);
        Benchmark.Parsed parsed = Benchmark.parse(env, input);
        DataStream<Span[]> closedTraces = parsed.spans().connect(parsed.logs())
                .keyBy(TraceAssemblerFunction::keyOf, InvocationJoinFunction::keyOf, Keys.TYPE)
                .process(new BufferTraces(StitchConfig.defaults().gapMs())).returns(SPANS).name("Buffer traces");
        closedTraces
                .keyBy(spans -> TraceAssemblerFunction.keyOf(spans[0]), Keys.TYPE)
                .map(SpanYardstick::jsonLines).returns(PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)
                .name("Render spans")
                .sinkTo(new LineFileSink(output)).setParallelism(1).name("Write spans");
        return env.execute("TraceStitch span yardstick");
    }

    /** Mutable Flink POJO: one key's event-time gap timer. */
    public static class Gap {
        public long lastEventMs = Long.MIN_VALUE;
        public long timerMs = Long.MIN_VALUE;
    }

    /**
     * Spans wait serialized until their trace has been silent for the gap, then go on as one array;
     * a log line only keeps its request id's gap timer going.
     */
    private static final class BufferTraces extends KeyedCoProcessFunction<Tuple2<String, String>, Span, LogFact, Span[]> {
        private final long gapMs;
        private transient ListState<byte[]> buffer;
        private transient ValueState<Gap> gap;
        private transient DataOutputSerializer spanBytes;

        BufferTraces(long gapMs) {
            this.gapMs = gapMs;
        }

        @Override
        public void open(OpenContext context) {
            buffer = getRuntimeContext().getListState(
                    new ListStateDescriptor<>("buffer", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
            gap = getRuntimeContext().getState(new ValueStateDescriptor<>("gap", Gap.class));
            spanBytes = new DataOutputSerializer(512);
        }

        @Override
        public void processElement1(Span span, Context ctx, Collector<Span[]> out) throws Exception {
            spanBytes.clear();
            SpanSerializer.INSTANCE.serialize(span, spanBytes);
            buffer.add(spanBytes.getCopyOfBuffer());
            extendGap(span.eventTimeMs(), ctx);
        }

        @Override
        public void processElement2(LogFact log, Context ctx, Collector<Span[]> out) throws Exception {
            extendGap(log.timestampMs(), ctx);
        }

        /** One timer per key, moved on when it fires instead of re-registered per record. */
        private void extendGap(long eventTimeMs, Context ctx) throws IOException {
            Gap g = gap.value();
            if (g == null) {
                g = new Gap();
            }
            g.lastEventMs = Math.max(g.lastEventMs, eventTimeMs);
            if (g.timerMs == Long.MIN_VALUE) {
                g.timerMs = Timers.afterWatermark(ctx.timerService().currentWatermark(),
                        Timers.plus(g.lastEventMs, gapMs));
                ctx.timerService().registerEventTimeTimer(g.timerMs);
            }
            gap.update(g);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<Span[]> out) throws Exception {
            Gap g = gap.value();
            long due = Timers.plus(g.lastEventMs, gapMs);
            if (due > timestamp) {
                g.timerMs = due;
                ctx.timerService().registerEventTimeTimer(due);
                gap.update(g);
                return;
            }
            List<Span> closed = new ArrayList<>();
            for (byte[] bytes : buffer.get()) {
                closed.add(SpanSerializer.INSTANCE.deserialize(new DataInputDeserializer(bytes)));
            }
            buffer.clear();
            gap.clear();
            if (!closed.isEmpty()) {
                out.collect(closed.toArray(new Span[0]));
            }
        }
    }

    /** The spans as JSON lines, one record per trace (the sink ends the last line). */
    static byte[] jsonLines(Span[] spans) {
        ByteArrayOutputStream json = new ByteArrayOutputStream(spans.length * 400);
        try (JsonGenerator g = Json.FACTORY.createGenerator(json)) {
            g.setRootValueSeparator(new SerializedString("\n"));
            for (Span span : spans) {
                TraceDigests.render(g, span);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return json.toByteArray();
    }
}
