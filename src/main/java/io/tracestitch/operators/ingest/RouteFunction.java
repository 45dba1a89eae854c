package io.tracestitch.operators.ingest;

import io.tracestitch.model.ParsedInput;
import io.tracestitch.model.Span;
import io.tracestitch.operators.DeadLetters;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * After a streaming source: spans on the main output, log facts on {@link ParseFunction#LOGS} and
 * dead letters on {@link DeadLetters#TAG}, as Parse sends them on the file path.
 */
public final class RouteFunction extends ProcessFunction<ParsedInput, Span> {

    @Override
    public void processElement(ParsedInput input, Context ctx, Collector<Span> out) {
        if (input instanceof ParsedInput.SpanInput span) {
            out.collect(span.span());
        } else if (input instanceof ParsedInput.LogInput log) {
            ctx.output(ParseFunction.LOGS, log.log());
        } else {
            ctx.output(DeadLetters.TAG, ((ParsedInput.Rejected) input).deadLetter());
        }
    }
}
