package io.tracestitch.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The one place JSON output is configured: every line the job writes goes through this factory. */
public final class Json {

    public static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

    /**
     * What a dead letter keeps of a span the job refused after parsing it: a span record holding
     * only its identity ({@code type}, {@code tenant}, {@code traceId}, {@code spanId}).
     */
    public static String spanStub(Span span) {
        StringWriter out = new StringWriter(96);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "span");
            g.writeStringField("tenant", span.tenant());
            g.writeStringField("traceId", span.traceId());
            g.writeStringField("spanId", span.spanId());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Milliseconds to three decimals (to the microsecond), without an exponent, as the input writes them.
     * Exact for the times the parser accepts (up to the year 9999); from about 9.2e15 ms on, the
     * microseconds would overflow a long.
     */
    public static void writeMillis(JsonGenerator g, double millis) throws IOException {
        long micros = Math.round(millis * 1000.0);
        if (micros % 1000 == 0) {
            g.writeNumber(micros / 1000);
            return;
        }
        long abs = Math.abs(micros);
        StringBuilder text = new StringBuilder(24);
        if (micros < 0) {
            text.append('-');
        }
        text.append(abs / 1000).append('.');
        int fraction = (int) (abs % 1000);
        text.append((char) ('0' + fraction / 100));
        if (fraction % 100 != 0) {
            text.append((char) ('0' + fraction / 10 % 10));
            if (fraction % 10 != 0) {
                text.append((char) ('0' + fraction % 10));
            }
        }
        g.writeNumber(text.toString());
    }
}
