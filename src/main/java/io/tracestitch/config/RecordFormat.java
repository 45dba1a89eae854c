package io.tracestitch.config;

import java.util.Locale;

/**
 * How an input's records are encoded: native NDJSON lines, or OTLP trace export requests in
 * protobuf or OTLP/JSON (the names are the encodings of the OpenTelemetry Collector's Kafka exporter).
 */
public enum RecordFormat implements RunConfig.Named {
    NDJSON, OTLP_PROTO, OTLP_JSON;

    @Override
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
