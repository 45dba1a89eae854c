package io.tracestitch.jobs.tools.simulator;

import static io.tracestitch.jobs.tools.simulator.Time.MS_US;

import io.tracestitch.jobs.tools.simulator.SimulatedSpan.MessageRef;

import java.util.List;

/**
 * Hand-written JSON rendering of TraceStitch's input lines into one reused buffer: several times faster
 * than a generic writer, and every field is known. One instance per world, so it is never shared between
 * threads. The static helpers format hex, numbers and JSON strings for the other renderers too.
 */
final class Render {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private enum Field {
        TYPE("type"), TENANT("tenant"), TRACE_ID("traceId"), SPAN_ID("spanId"), PARENT_SPAN_ID("parentSpanId"),
        SERVICE("service"), NAME("name"), KIND("kind"), START_MS("startMs"), END_MS("endMs"), STATUS("status"),
        REQUEST_ID("requestId"), MESSAGES("messages"), LINKS("links"), ATTRIBUTES("attributes");

        final String key;

        Field(String name) {
            this.key = '"' + name + "\":";
        }
    }

    private static final Field[] SPAN_FIELDS = Field.values();
    /** Some exporters write producer spans with another key order; parsers must not care. */
    private static final Field[] PRODUCER_FIELDS = {Field.SPAN_ID, Field.NAME, Field.KIND, Field.START_MS,
            Field.END_MS, Field.STATUS, Field.MESSAGES, Field.LINKS, Field.ATTRIBUTES, Field.TYPE, Field.TENANT,
            Field.TRACE_ID, Field.PARENT_SPAN_ID, Field.SERVICE, Field.REQUEST_ID};

    private final StringBuilder buf = new StringBuilder(1 << 14);

    private StringBuilder start() {
        buf.setLength(0);
        return buf;
    }

    String span(SimulatedSpan s) {
        StringBuilder sb = start().append('{');
        boolean first = true;
        for (Field field : s.producerFieldOrder() ? PRODUCER_FIELDS : SPAN_FIELDS) {
            if (field == Field.REQUEST_ID && s.requestId() == null) continue;
            if (!first) sb.append(',');
            first = false;
            sb.append(field.key);
            // Every value below is generated here and needs no escaping.
            switch (field) {
                case TYPE -> sb.append("\"span\"");
                case TENANT -> quote(sb, s.tenant());
                case TRACE_ID -> quote(sb, s.traceId());
                case SPAN_ID -> quote(sb, s.spanId());
                case PARENT_SPAN_ID -> {
                    if (s.parentSpanId() == null) sb.append("null");
                    else quote(sb, s.parentSpanId());
                }
                case SERVICE -> quote(sb, s.service());
                case NAME -> quote(sb, s.name());
                case KIND -> quote(sb, s.kind());
                case START_MS -> millis(sb, s.startUs());
                case END_MS -> millis(sb, s.endUs());
                case STATUS -> sb.append(s.error() ? "\"error\"" : "\"ok\"");
                case REQUEST_ID -> quote(sb, s.requestId());
                case MESSAGES -> {
                    sb.append('[');
                    for (int i = 0; i < s.messages().size(); i++) {
                        MessageRef m = s.messages().get(i);
                        if (i > 0) sb.append(',');
                        quote(sb.append("{\"system\":"), m.system());
                        quote(sb.append(",\"operation\":"), m.operation());
                        quote(sb.append(",\"destination\":"), m.destination());
                        quote(sb.append(",\"id\":"), m.id()).append('}');
                    }
                    sb.append(']');
                }
                case LINKS -> {
                    sb.append('[');
                    for (int i = 0; i < s.links().size(); i++) {
                        if (i > 0) sb.append(',');
                        quote(sb.append("{\"traceId\":"), s.links().get(i).traceId());
                        quote(sb.append(",\"spanId\":"), s.links().get(i).spanId()).append('}');
                    }
                    sb.append(']');
                }
                case ATTRIBUTES -> sb.append("{}");
            }
        }
        return sb.append('}').toString();
    }

    /** A log line in TraceStitch's own record format. */
    String nativeLog(String tenant, String function, LogEvent e) {
        StringBuilder sb = start();
        quote(sb.append("{\"type\":\"log\",\"tenant\":"), tenant);
        quote(sb.append(",\"function\":"), function);
        if (e.requestId() != null) quote(sb.append(",\"requestId\":"), e.requestId());
        sb.append(",\"timestampMs\":");
        millis(sb, e.timeUs());
        sb.append(",\"message\":");
        str(sb, e.message());
        return sb.append('}').toString();
    }

    /** A CloudWatch Logs subscription envelope; ids[i] is the log event id of events[i]. */
    String envelope(String owner, String function, String logStream, List<LogEvent> events, String[] ids) {
        StringBuilder sb = start();
        quote(sb.append("{\"messageType\":\"DATA_MESSAGE\",\"owner\":"), owner);
        sb.append(",\"logGroup\":\"/aws/lambda/").append(function).append('"');
        quote(sb.append(",\"logStream\":"), logStream);
        sb.append(",\"subscriptionFilters\":[\"tracestitch\"],\"logEvents\":[");
        for (int i = 0; i < ids.length; i++) {
            LogEvent e = events.get(i);
            if (i > 0) sb.append(',');
            sb.append("{\"id\":\"").append(ids[i]).append("\",\"timestamp\":").append(Math.floorDiv(e.timeUs(), MS_US));
            sb.append(",\"message\":");
            escape(sb.append('"'), e.message()).append("\\n\"");
            sb.append('}');
        }
        return sb.append("]}").toString();
    }

    /** The health check CloudWatch Logs sends down a subscription now and then. */
    static String controlMessage(long timestampMs) {
        return "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\",\"logStream\":\"\","
                + "\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":" + timestampMs
                + ",\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.\"}]}";
    }

    /** Writes the low {@code digits} hex digits of v into c at off. */
    static void hex(long v, char[] c, int off, int digits) {
        for (int i = off + digits - 1; i >= off; i--, v >>>= 4) c[i] = HEX[(int) v & 0xF];
    }

    /** Appends v (not negative) with leading zeros to width digits. */
    static StringBuilder zeroPadded(StringBuilder sb, long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) sb.append('0');
        return sb.append(s);
    }

    /** Quotes a value generated by the simulator, known to need no escaping. */
    static StringBuilder quote(StringBuilder sb, String s) {
        return sb.append('"').append(s).append('"');
    }

    /** A JSON string of any text. */
    static StringBuilder str(StringBuilder sb, String s) {
        return escape(sb.append('"'), s).append('"');
    }

    /** JSON string escaping; runs of plain characters are copied in bulk. */
    static StringBuilder escape(StringBuilder sb, String s) {
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            sb.append(s, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return sb.append(s, run, s.length());
    }

    /** Epoch milliseconds with up to three decimals, never in exponent notation. */
    static StringBuilder millis(StringBuilder sb, long us) {
        sb.append(Math.floorDiv(us, MS_US));
        int frac = (int) Math.floorMod(us, MS_US);
        if (frac == 0) return sb;
        char[] d = {(char) ('0' + frac / 100), (char) ('0' + frac / 10 % 10), (char) ('0' + frac % 10)};
        int n = 3;
        while (d[n - 1] == '0') n--;
        return sb.append('.').append(d, 0, n);
    }
}
