package io.tracestitch.operators.content;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.Invocation;
import io.tracestitch.model.MemberContent;
import io.tracestitch.model.Span;
import io.tracestitch.operators.Tally;
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
 * rendered once, duplicates unioned) and its invocations live. Answers every content request of the
 * resolver, once its watermark has passed the request's fence.
 *
 * <p>State: the content, kept while it is used and expiring once untouched for the horizon (endless
 * streams only); the requests until answered (never expiring: the assembler waits for every answer).
 * A request whose content has expired is answered with no spans and counted as {@code expiredState}.
 */
public final class ContentStoreFunction extends KeyedProcessFunction<Tuple2<String, String>, ContentInput, AssemblyInput> {

    private final StitchConfig config;
    private transient ValueState<TraceContent> content;
    private transient ListState<ContentInput.ContentRequest> requests;
    private transient Tally expiredState;

    public ContentStoreFunction(StitchConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<TraceContent> contentDescriptor = new ValueStateDescriptor<>("content", TraceContent.class);
        Timers.expireAfterAccess(contentDescriptor, config.horizon());
        content = getRuntimeContext().getState(contentDescriptor);
        requests = getRuntimeContext().getListState(
                new ListStateDescriptor<>("requests", ContentInput.ContentRequest.class));
        expiredState = new Tally(getRuntimeContext(), "expiredState");
    }

    @Override
    public void processElement(ContentInput input, Context ctx, Collector<AssemblyInput> out) throws Exception {
        if (input instanceof ContentInput.ContentRequest request) {
            requests.add(request);
            ctx.timerService().registerEventTimeTimer(
                    Timers.afterWatermark(ctx.timerService().currentWatermark(), request.fence()));
            return;
        }
        TraceContent c = content.value();
        if (c == null) {
            c = new TraceContent();
        }
        if (input instanceof ContentInput.InvocationUpdate update) {
            c.invocations = withInvocation(c.invocations, update.invocation());
        } else if (input instanceof ContentInput.ClosedSpans closed) {
            c.digest = c.digest == null ? closed.digest() : TraceDigests.merge(c.digest, closed.digest());
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
        List<ContentInput.ContentRequest> waiting = new ArrayList<>();
        TraceContent c = null;
        for (ContentInput.ContentRequest request : requests.get()) {
            if (request.fence() > watermark) {
                waiting.add(request);
                continue;
            }
            if (c == null) {
                c = content.value();
                if (c == null || c.digest == null) {
                    expiredState.inc();
                    c = new TraceContent();
                    c.digest = TraceDigests.of(request.traceId(), new Span[0]);
                }
            }
            out.collect(new MemberContent(request.tenant(), request.seq(), request.transactionId(), request.traceId(),
                    c.digest, c.invocations));
        }
        requests.update(waiting);
    }
}
