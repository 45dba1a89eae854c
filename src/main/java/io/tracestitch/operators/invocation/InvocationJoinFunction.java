package io.tracestitch.operators.invocation;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.Keys;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.operators.Tally;
import io.tracestitch.operators.Timers;

import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;

import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keyed by {@code (tenant, requestId)}: folds an invocation's platform log lines (any order, any
 * format, duplicates) into one {@link Invocation} and sends it to every trace whose spans carry the
 * request id, at most once per watermark. Log lines whose invocation has no span are counted at the
 * end of input ({@code logsWithoutSpan}), never invented into transactions. With a horizon the
 * state expires once untouched for it; a timer that finds it gone counts {@code expiredState}.
 */
public final class InvocationJoinFunction extends KeyedCoProcessFunction<Tuple2<String, String>, LogFact, RequestFact, ContentInput> {

    public static final OutputTag<ResolverInput> TOUCHES = new OutputTag<>("touches") {};

    private final StitchConfig config;
    private transient ValueState<InvocationState> state;
    private transient Tally logs;
    private transient Tally lateRecords;
    private transient Tally logsWithoutSpan;
    private transient Tally expiredState;

    public InvocationJoinFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<InvocationState> descriptor = new ValueStateDescriptor<>("invocation", InvocationState.class);
        Timers.expireAfter(descriptor, config.horizon());
        state = getRuntimeContext().getState(descriptor);
        logs = new Tally(getRuntimeContext(), "logs");
        lateRecords = new Tally(getRuntimeContext(), "lateRecords");
        logsWithoutSpan = new Tally(getRuntimeContext(), "logsWithoutSpan");
        expiredState = new Tally(getRuntimeContext(), "expiredState");
    }

    @Override
    public void processElement1(LogFact log, Context ctx, Collector<ContentInput> out) throws Exception {
        logs.inc();
        long watermark = ctx.timerService().currentWatermark();
        if (log.timestampMs() <= watermark) {
            lateRecords.inc();
        }
        InvocationState s = current(log.tenant());
        Invocation base = s.invocation != null ? s.invocation : Invocation.of(log.line().requestId(), log.function());
        if (base.function() == null && log.function() != null) {
            base = Invocation.of(base.requestId(), log.function()).merge(base);
        }
        Invocation merged = base.with(log.line());
        boolean news = !merged.equals(s.invocation); // a duplicate line changes nothing
        s.invocation = merged;
        if (config.unboundedHorizon() && !s.orphanCheckSet && s.traces.length == 0) {
            // Counted at the end of input only if no span ever claims this request id.
            s.orphanCheckSet = true;
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }
        changed(s, news, ctx);
    }

    @Override
    public void processElement2(RequestFact fact, Context ctx, Collector<ContentInput> out) throws Exception {
        InvocationState s = current(fact.tenant());
        if (s.orphanCheckSet) {
            s.orphanCheckSet = false;
            ctx.timerService().deleteEventTimeTimer(Long.MAX_VALUE);
        }
        // A trace closing again (late spans) repeats its request ids: only a new trace or service is news.
        boolean news = false;
        if (!Arrays.asList(s.traces).contains(fact.traceId())) {
            s.traces = Arrays.copyOf(s.traces, s.traces.length + 1);
            s.traces[s.traces.length - 1] = fact.traceId();
            news = true;
        }
        if (s.invocation == null) {
            s.invocation = Invocation.of(fact.requestId(), null);
        }
        // Kept apart from the invocation: a line naming the function must win whenever it comes.
        if (s.spanService == null || fact.service().compareTo(s.spanService) < 0) {
            s.spanService = fact.service();
            news = true;
        }
        changed(s, news, ctx);
    }

    private InvocationState current(String tenant) throws java.io.IOException {
        InvocationState s = state.value();
        if (s == null) {
            s = new InvocationState();
            s.tenant = tenant;
        }
        return s;
    }

    private void changed(InvocationState s, boolean news, Context ctx) throws java.io.IOException {
        s.changed |= news;
        if (s.changed && !s.timerSet && s.traces.length > 0) {
            s.timerSet = true;
            ctx.timerService().registerEventTimeTimer(
                    Timers.afterWatermark(ctx.timerService().currentWatermark(), Long.MIN_VALUE));
        }
        state.update(s);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ContentInput> out) throws Exception {
        InvocationState s = state.value();
        if (s == null) {
            expiredState.inc();
            return;
        }
        if (s.changed && s.traces.length > 0) {
            Invocation invocation = s.invocation.function() != null || s.spanService == null ? s.invocation
                    : Invocation.of(s.invocation.requestId(), s.spanService).merge(s.invocation);
            for (String traceId : s.traces) {
                out.collect(new ContentInput.InvocationUpdate(s.tenant, traceId, invocation));
                ctx.output(TOUCHES, new ResolverInput.ContentChanged(s.tenant, traceId));
            }
            s.changed = false;
        }
        s.timerSet = false;
        if (timestamp == Long.MAX_VALUE && s.traces.length == 0) {
            logsWithoutSpan.inc();
        }
        state.update(s);
    }

    public static Tuple2<String, String> keyOf(LogFact log) {
        return Keys.of(log.tenant(), log.line().requestId());
    }

    public static Tuple2<String, String> keyOf(RequestFact fact) {
        return Keys.of(fact.tenant(), fact.requestId());
    }
}
