package io.tracestitch.operators.ingest;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.Span;
import io.tracestitch.operators.DeadLetters;
import io.tracestitch.operators.Tally;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses input records of one format (NDJSON lines, or OTLP requests) from files: spans on the main
 * output, platform log facts and dead letters on the side.
 */
public final class ParseFunction extends ProcessFunction<byte[], Span> {

    public static final OutputTag<LogFact> LOGS = new OutputTag<>("logs") {};

    private final RecordFormat format;
    private final String otlpTenantAttribute;
    private transient FormatParser parser;
    private transient Tally recordsIn;
    private transient Tally deadLetters;
    private transient Tally ignored;

    public ParseFunction(RecordFormat format, String otlpTenantAttribute) {
        this.format = format;
        this.otlpTenantAttribute = otlpTenantAttribute;
    }

    @Override
    public void open(OpenContext context) {
        parser = new FormatParser(otlpTenantAttribute);
        recordsIn = new Tally(getRuntimeContext(), "recordsIn");
        deadLetters = new Tally(getRuntimeContext(), "deadLetters");
        ignored = new Tally(getRuntimeContext(), "ignoredLines");
    }

    @Override
    public void processElement(byte[] line, Context ctx, Collector<Span> out) {
        recordsIn.inc();
        parser.parse(line, format, new RecordParser.Output() {
            @Override
            public void span(Span span) {
                out.collect(span);
            }

            @Override
            public void log(LogFact log) {
                ctx.output(LOGS, log);
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                deadLetters.inc();
                ctx.output(DeadLetters.TAG, deadLetter);
            }

            @Override
            public void ignored() {
                ignored.inc();
            }
        });
    }
}
