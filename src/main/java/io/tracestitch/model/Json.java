package io.tracestitch.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** The one place JSON output is configured: every line the job writes goes through this factory. */
public final class Json {

    public static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

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
