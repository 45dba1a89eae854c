package io.tracestitch.operators.ingest;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.config.RunConfig.KinesisFormat;
import io.tracestitch.model.ParsedInput;

import java.util.Arrays;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parse, for the Kinesis input: the data of one Kinesis record in, what it holds out as
 * {@link ParsedInput}s, counted like the Kafka input's ({@code recordsIn}, {@code deadLetters},
 * {@code ignoredLines}). In {@link KinesisFormat#NDJSON} a record holds one or more input lines; in
 * {@link KinesisFormat#CLOUDWATCH_LOGS} it is a gzip-compressed subscription message
 * ({@link CloudWatchLogsDecoder}); in the OTLP formats it is one OTLP request. The Kinesis source is a legacy {@code SourceFunction} whose
 * records are single values, so parsing happens here, chained to it, rather than inside the source
 * as for Kafka; event time is assigned right after.
 */
public final class KinesisRecordFunction extends ProcessFunction<byte[], ParsedInput> {

    private static final long serialVersionUID = 1L;

    private final KinesisFormat format;
    private final String otlpTenantAttribute;
    private transient RecordParsing parsing;

    public KinesisRecordFunction(KinesisFormat format, String otlpTenantAttribute) {
        this.format = format;
        this.otlpTenantAttribute = otlpTenantAttribute;
    }

    @Override
    public void open(OpenContext context) {
        parsing = new RecordParsing(getRuntimeContext().getMetricGroup(), otlpTenantAttribute);
    }

    @Override
    public void processElement(byte[] data, Context ctx, Collector<ParsedInput> out) {
        switch (format) {
            case NDJSON -> lines(data, line -> parsing.parse(line, RecordFormat.NDJSON, out));
            case CLOUDWATCH_LOGS -> {
                CloudWatchLogsDecoder.Result result = CloudWatchLogsDecoder.decode(data);
                if (result instanceof CloudWatchLogsDecoder.Decoded decoded) {
                    parsing.parseLine(decoded.json(), CloudWatchLogsDecoder.MAX_DECOMPRESSED_BYTES, out);
                } else {
                    parsing.reject(((CloudWatchLogsDecoder.Refused) result).deadLetter(), out);
                }
            }
            case OTLP_PROTO, OTLP_JSON -> parsing.parse(data, format.records, out);
        }
    }

    /**
     * The lines of an NDJSON record, without their line ends ({@code \n} or {@code \r\n}), as a file's
     * lines are read: the last line needs no line end, and a record ending with one holds no empty
     * line after it. An empty record is one empty line (ignored by the parser, like a blank line).
     */
    static void lines(byte[] record, Consumer<byte[]> line) {
        int start = 0;
        for (int i = 0; i < record.length; i++) {
            if (record[i] == '\n') {
                int end = i > start && record[i - 1] == '\r' ? i - 1 : i;
                line.accept(Arrays.copyOfRange(record, start, end));
                start = i + 1;
            }
        }
        if (start < record.length || start == 0) {
            line.accept(start == 0 ? record : Arrays.copyOfRange(record, start, record.length));
        }
    }
}
