package io.tracestitch.operators.content;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.Span;
import io.tracestitch.model.TraceDigest;
import io.tracestitch.operators.Timers;
import io.tracestitch.operators.trace.TraceDigests;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Keyed by {@code (tenant, traceId)}: the one place a closed trace's content (its digest: spans
 * rendered once, duplicates unioned) and its invocations live. Sends them to the assembler whenever the resolver asks for a
 * revision, once its watermark has passed the request's fence.
 */
public final class ContentStoreFunction extends KeyedProcessFunction<Tuple2<String, String>, ContentInput, AssemblyInput> {

    /** Mutable Flink POJO: a trace's content; {@code digest} is null until its spans close. */
    public static class TraceContent {
        public TraceDigest digest;
        public Invocation[] invocations = NO_INVOCATIONS;
    }

    private static final Invocation[] NO_INVOCATIONS = {};

    private final StitchConfig config;
    private transient ValueState<TraceContent> content;
    private transient ListState<ContentInput> requests;

    public ContentStoreFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<TraceContent> contentDescriptor = new ValueStateDescriptor<>("content", TraceContent.class);
        ListStateDescriptor<ContentInput> requestsDescriptor = new ListStateDescriptor<>("requests", ContentInput.class);
        Timers.expireAfter(contentDescriptor, config.horizon());
        Timers.expireAfter(requestsDescriptor, config.horizon());
        content = getRuntimeContext().getState(contentDescriptor);
        requests = getRuntimeContext().getListState(requestsDescriptor);
    }

    @Override
    public void processElement(ContentInput input, Context ctx, Collector<AssemblyInput> out) throws Exception {
        if (input.isRequest()) {
            requests.add(input);
            ctx.timerService().registerEventTimeTimer(
                    Timers.afterWatermark(ctx.timerService().currentWatermark(), input.fence()));
            return;
        }
        TraceContent c = content.value();
        if (c == null) {
            c = new TraceContent();
        }
        if (input.invocation() != null) {
            c.invocations = withInvocation(c.invocations, input.invocation());
        } else {
            c.digest = c.digest == null ? input.digest() : TraceDigests.merge(c.digest, input.digest());
        }
        content.update(c);
    }

    private static Invocation[] withInvocation(Invocation[] known, Invocation update) {
        for (int i = 0; i < known.length; i++) {
            if (known[i].requestId().equals(update.requestId())) {
                Invocation[] out = known.clone();
                out[i] = update;
                return out;
            }
        }
        Invocation[] out = Arrays.copyOf(known, known.length + 1);
        out[known.length] = update;
        return out;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AssemblyInput> out) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        List<ContentInput> waiting = new ArrayList<>();
        TraceContent c = null;
        for (ContentInput request : requests.get()) {
            if (request.fence() > watermark) {
                waiting.add(request);
                continue;
            }
            if (c == null) {
                c = content.value();
                if (c == null || c.digest == null) {
                    c = new TraceContent();
                    c.digest = TraceDigests.of(request.traceId(), new Span[0]);
                }
            }
            out.collect(new AssemblyInput(null, new MemberContent(request.tenant(), request.txnId(),
                    request.revision(), c.digest, c.invocations)));
        }
        requests.update(waiting);
    }
}
