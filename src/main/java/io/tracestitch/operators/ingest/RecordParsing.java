package io.tracestitch.operators.ingest;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.ParsedInput;
import io.tracestitch.model.Span;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;

/**
 * Parses a streaming source's records into {@link ParsedInput}s, counted in the metrics Parse uses
 * on the file path ({@code recordsIn}, {@code deadLetters}, {@code ignoredLines}). A source's
 * deserializer has metrics but no accumulators, so these counts are metrics only.
 */
public final class RecordParsing {

    private final FormatParser parser;
    private final Counter recordsIn;
    private final Counter deadLetters;
    private final Counter ignored;

    public RecordParsing(MetricGroup metrics, String otlpTenantAttribute) {
        parser = new FormatParser(otlpTenantAttribute);
        recordsIn = metrics.counter("recordsIn");
        deadLetters = metrics.counter("deadLetters");
        ignored = metrics.counter("ignoredLines");
    }

    /** One record in its format: a UTF-8 line without its line end, or an OTLP request. */
    public void parse(byte[] record, RecordFormat format, Collector<ParsedInput> out) {
        recordsIn.inc();
        parser.parse(record, format, output(out));
    }

    /** One NDJSON record of up to {@code maxBytes}: see {@link RecordParser#parse(byte[], int, RecordParser.Output)}. */
    public void parseLine(byte[] record, int maxBytes, Collector<ParsedInput> out) {
        recordsIn.inc();
        parser.parseLine(record, maxBytes, output(out));
    }

    /** A record that never reached the parser (it could not be decoded): only its dead letter. */
    public void reject(DeadLetter deadLetter, Collector<ParsedInput> out) {
        recordsIn.inc();
        deadLetters.inc();
        out.collect(new ParsedInput.Rejected(deadLetter));
    }

    /** A record that carries nothing to parse (a Kafka tombstone, a control message). */
    public void ignore() {
        recordsIn.inc();
        ignored.inc();
    }

    private RecordParser.Output output(Collector<ParsedInput> out) {
        return new RecordParser.Output() {
            @Override
            public void span(Span span) {
                out.collect(new ParsedInput.SpanInput(span));
            }

            @Override
            public void log(LogFact log) {
                out.collect(new ParsedInput.LogInput(log));
            }

            @Override
            public void deadLetter(DeadLetter deadLetter) {
                deadLetters.inc();
                out.collect(new ParsedInput.Rejected(deadLetter));
            }

            @Override
            public void ignored() {
                ignored.inc();
            }
        };
    }
}
