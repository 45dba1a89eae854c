package io.tracestitch.operators.ingest;

import io.tracestitch.config.RecordFormat;

/** Parses records by their {@link RecordFormat}: NDJSON lines with {@link RecordParser}, OTLP requests with {@link OtlpParser}. */
public final class FormatParser {

    private final RecordParser lines = new RecordParser();
    private final OtlpParser otlp;

    /** @param otlpTenantAttribute the attribute that names an OTLP span's tenant */
    public FormatParser(String otlpTenantAttribute) {
        this.otlp = new OtlpParser(otlpTenantAttribute);
    }

    public void parse(byte[] record, RecordFormat format, RecordParser.Output out) {
        switch (format) {
            case NDJSON -> lines.parse(record, out);
            case OTLP_PROTO -> otlp.parse(record, false, out);
            case OTLP_JSON -> otlp.parse(record, true, out);
        }
    }

    /** An NDJSON record of up to {@code maxBytes}: see {@link RecordParser#parse(byte[], int, RecordParser.Output)}. */
    public void parseLine(byte[] record, int maxBytes, RecordParser.Output out) {
        lines.parse(record, maxBytes, out);
    }
}
