package io.tracestitch.operators.ingest;

import io.tracestitch.model.Invocation;
import io.tracestitch.model.PlatformLine;
import io.tracestitch.model.PlatformLine.Kind;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one CloudWatch log message of a Lambda function into the {@link PlatformLine} it states
 * about an invocation, in either log format:
 * <ul>
 *   <li>text: {@code START RequestId: …}, {@code END RequestId: …}, {@code REPORT RequestId: …}
 *       with tab-separated {@code Name: value unit} fields, and the older
 *       {@code <timestamp> <requestId> Task timed out after N seconds} line;</li>
 *   <li>JSON: {@code platform.start}, {@code platform.end}, {@code platform.runtimeDone} and
 *       {@code platform.report}.</li>
 * </ul>
 * Every other message (application output, {@code INIT_START}, {@code INIT_REPORT}, extension
 * lines, other {@code platform.*} types, application JSON, garbage) gives null: it is valid input
 * to ignore, not an error. {@link #parse} never throws.
 *
 * <p>It runs on every line of a log stream, so most lines are rejected by their first characters
 * before any regex or JSON parsing.
 */
public final class LambdaLogParser {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String START = "START RequestId:";
    private static final String END = "END RequestId:";
    private static final String REPORT = "REPORT RequestId:";
    private static final String TASK_TIMED_OUT = "Task timed out after";

    // Fields are matched one by one, not in a fixed order: real lines reorder them, turn tabs into
    // spaces and put spaces before tabs. Longer names come first so "Billed Duration" is not read as
    // "Duration"; scanning left to right means the inner "Duration" of a longer name is never a start.
    private static final Pattern REPORT_FIELD = Pattern.compile(
            "\\b(Billed Restore Duration|Restore Duration|Billed Duration|Init Duration|Max Memory Used"
                    + "|Memory Size|Duration|Status|Error Type):[ \\t]*([^\\s]+)");
    private static final Pattern NUMBER = Pattern.compile("[0-9]+(?:\\.[0-9]*)?");

    private LambdaLogParser() {
    }

    /** Returns the platform line {@code message} states about an invocation, or null if it is none. */
    public static PlatformLine parse(String message) {
        if (message == null) {
            return null;
        }
        int start = firstNonWhitespace(message, 0);
        if (start == message.length()) {
            return null;
        }
        char first = message.charAt(start);
        if (first == 'S' && message.startsWith(START, start)) {
            return bare(requestIdAt(message, start + START.length()), Kind.START);
        }
        if (first == 'E' && message.startsWith(END, start)) {
            return bare(requestIdAt(message, start + END.length()), Kind.END);
        }
        if (first == 'R' && message.startsWith(REPORT, start)) {
            return parseTextReport(message, start + REPORT.length());
        }
        if (first >= '0' && first <= '9') {
            return parseTimeout(message, start);
        }
        if (first == '{' && message.contains("\"platform.")) {
            return parseJson(message);
        }
        return null;
    }

    private static PlatformLine parseTextReport(String message, int afterPrefix) {
        String requestId = requestIdAt(message, afterPrefix);
        if (requestId == null) {
            return null;
        }
        double duration = Double.NaN;
        double billed = Double.NaN;
        double memorySize = Double.NaN;
        double maxMemoryUsed = Double.NaN;
        double init = Double.NaN;
        double restore = Double.NaN;
        String status = null;
        String errorType = null;
        Matcher field = REPORT_FIELD.matcher(message);
        field.region(afterPrefix, message.length());
        while (field.find()) {
            String value = field.group(2);
            switch (field.group(1)) {
                case "Duration" -> duration = number(value);
                case "Billed Duration" -> billed = number(value);
                case "Memory Size" -> memorySize = number(value);
                case "Max Memory Used" -> maxMemoryUsed = number(value);
                case "Init Duration" -> init = number(value);
                case "Restore Duration" -> restore = number(value);
                case "Status" -> status = status(value);
                case "Error Type" -> errorType = value;
                default -> { } // Billed Restore Duration: matched only so it is not read as another field
            }
        }
        return new PlatformLine(requestId, Kind.REPORT, duration, billed, memorySize, maxMemoryUsed,
                init, restore, status, errorType);
    }

    /** {@code 2023-10-20T16:28:17.840Z 4299ee26-… Task timed out after 31.01 seconds}, tab or space separated. */
    private static PlatformLine parseTimeout(String message, int start) {
        int idStart = firstNonWhitespace(message, endOfToken(message, start));
        int idEnd = endOfToken(message, idStart);
        int textStart = firstNonWhitespace(message, idEnd);
        if (!isRequestId(message, idStart, idEnd) || !message.startsWith(TASK_TIMED_OUT, textStart)) {
            return null;
        }
        return new PlatformLine(message.substring(idStart, idEnd), Kind.TIMEOUT, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Invocation.TIMEOUT, null);
    }

    private static PlatformLine parseJson(String message) {
        JsonNode root;
        try {
            root = JSON.readTree(message);
        } catch (JsonProcessingException e) {
            return null; // a truncated or non-JSON line that merely mentions "platform." is not ours
        }
        if (root == null || !root.isObject()) {
            return null;
        }
        Kind kind = switch (root.path("type").asText("")) {
            case "platform.start" -> Kind.START;
            case "platform.end" -> Kind.END;
            case "platform.runtimeDone" -> Kind.RUNTIME_DONE;
            case "platform.report" -> Kind.REPORT;
            default -> null;
        };
        JsonNode record = root.path("record");
        JsonNode requestId = record.path("requestId");
        if (kind == null || !requestId.isTextual() || requestId.asText().isBlank()) {
            return null;
        }
        JsonNode metrics = record.path("metrics");
        JsonNode errorType = record.path("errorType");
        return new PlatformLine(requestId.asText(), kind,
                number(metrics, "durationMs"),
                number(metrics, "billedDurationMs"),
                number(metrics, "memorySizeMB"),
                number(metrics, "maxMemoryUsedMB"),
                number(metrics, "initDurationMs"),
                number(metrics, "restoreDurationMs"),
                status(record.path("status").asText(null)),
                errorType.isTextual() ? errorType.asText() : null);
    }

    /** Maps a status word of either format to success, error or timeout; anything else is unknown. */
    private static String status(String value) {
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "success" -> Invocation.SUCCESS;
            case "error", "failure" -> Invocation.ERROR;
            case "timeout" -> Invocation.TIMEOUT;
            default -> null;
        };
    }

    private static double number(String value) {
        return NUMBER.matcher(value).matches() ? Double.parseDouble(value) : Double.NaN;
    }

    private static double number(JsonNode metrics, String name) {
        JsonNode value = metrics.path(name);
        return value.isNumber() ? value.asDouble() : Double.NaN;
    }

    private static PlatformLine bare(String requestId, Kind kind) {
        if (requestId == null) {
            return null;
        }
        return new PlatformLine(requestId, kind, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, null, null);
    }

    /** The request id token after {@code from}, or null if the next token is none. */
    private static String requestIdAt(String message, int from) {
        int idStart = firstNonWhitespace(message, from);
        int idEnd = endOfToken(message, idStart);
        return isRequestId(message, idStart, idEnd) ? message.substring(idStart, idEnd) : null;
    }

    /**
     * Request ids are UUIDs; accepting letters, digits and dashes only keeps a line with the id
     * missing ({@code REPORT RequestId:\tDuration: …}) from yielding "Duration:" as its id.
     */
    private static boolean isRequestId(String s, int start, int end) {
        if (start == end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!(c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                return false;
            }
        }
        return true;
    }

    private static int firstNonWhitespace(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int endOfToken(String s, int from) {
        int i = from;
        while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
