package io.tracestitch.operators.ingest;

import io.tracestitch.model.PlatformLine.Kind;

import io.tracestitch.model.PlatformLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class LambdaLogParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double NA = Double.NaN;

    // ---- real capture: CloudWatch Logs -> Kinesis, gzip + base64 (aws-powertools fixture) ----

    @Test
    void parsesEveryLineOfTheRealKinesisCapture() throws IOException {
        List<String> messages = new ArrayList<>();
        for (JsonNode record : readFixture("kinesisStreamCloudWatchLogsEvent.json").path("Records")) {
            for (JsonNode event : decodeCloudWatchData(record.path("kinesis").path("data").asText()).path("logEvents")) {
                messages.add(event.path("message").asText());
            }
        }

        assertThat(messages).map(LambdaLogParser::parse).containsExactly(
                bare("06e46194-f277-454e-88d3-1dd7e3860eaa", Kind.START),
                bare("06e46194-f277-454e-88d3-1dd7e3860eaa", Kind.END),
                report("06e46194-f277-454e-88d3-1dd7e3860eaa", 9.14, 10, 128, 36, 190.62, NA, null, null),
                bare("4dfec460-05bb-4f62-8fed-e5cade099a36", Kind.START),
                bare("4dfec460-05bb-4f62-8fed-e5cade099a36", Kind.END),
                report("4dfec460-05bb-4f62-8fed-e5cade099a36", 0.97, 1, 128, 37, NA, NA, null, null));
    }

    // ---- text format ----

    static Stream<Arguments> textLines() {
        String id = "06e46194-f277-454e-88d3-1dd7e3860eaa";
        return Stream.of(
                arguments("START RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa Version: $LATEST\n",
                        bare(id, Kind.START)),
                arguments("START RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa Version: 17",
                        bare(id, Kind.START)),
                arguments("  \tSTART RequestId:06e46194-f277-454e-88d3-1dd7e3860eaa", bare(id, Kind.START)),
                arguments("END RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa\n", bare(id, Kind.END)),
                arguments("END RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa", bare(id, Kind.END)),
                // CloudWatch Logs Insights / console copies turn tabs into spaces (lumigo SAR-async-lambda-metrics#9)
                arguments("REPORT RequestId: 2d7fd9b0-a17f-4482-bc6c-4b58bb47b884 Duration: 1201.12 ms Billed Duration: "
                                + "1300 ms Memory Size: 128 MB Max Memory Used: 78 MB Init Duration: 287.33 ms",
                        report("2d7fd9b0-a17f-4482-bc6c-4b58bb47b884", 1201.12, 1300, 128, 78, 287.33, NA, null, null)),
                // DataBiosphere/azul#1845, 2020, spaces and 100 ms billing
                arguments("REPORT RequestId: b3cd4ea3-9d24-4448-807a-dfcf32f3248b Duration: 894.52 ms Billed Duration: "
                                + "900 ms Memory Size: 128 MB Max Memory Used: 96 MB",
                        report("b3cd4ea3-9d24-4448-807a-dfcf32f3248b", 894.52, 900, 128, 96, NA, NA, null, null)),
                // shape of the pre-2020 "100 ms \t" spacing (apex/up#663)
                arguments("REPORT RequestId: 8f5cbb8e-11f7-11e9-b00c-a7a71c5b2e5d\tDuration: 37.80 ms\t"
                                + "Billed Duration: 100 ms \tMemory Size: 128 MB\tMax Memory Used: 20 MB\t\n",
                        report("8f5cbb8e-11f7-11e9-b00c-a7a71c5b2e5d", 37.80, 100, 128, 20, NA, NA, null, null)),
                // nishidemasami/contactform-api#29
                arguments("REPORT RequestId: 83269395-33ee-45a8-8a99-38f67b6faf72\tDuration: 11.48 ms\tBilled Duration: "
                                + "12 ms\tMemory Size: 128 MB\tMax Memory Used: 10 MB\tStatus: error\tError Type: "
                                + "Runtime.InvalidEntrypoint",
                        report("83269395-33ee-45a8-8a99-38f67b6faf72", 11.48, 12, 128, 10, NA, NA, "error",
                                "Runtime.InvalidEntrypoint")),
                // awslabs/aws-lambda-dart-runtime#20: an invoke that failed yet has no Status (older logs)
                arguments("REPORT RequestId: a81f0097-a81f-48ac-88e7-cdecf090bc91\tDuration: 0.88 ms\tBilled Duration: "
                                + "1 ms\tMemory Size: 128 MB\tMax Memory Used: 6 MB\t\n",
                        report("a81f0097-a81f-48ac-88e7-cdecf090bc91", 0.88, 1, 128, 6, NA, NA, null, null)),
                // shape of the current timeout REPORT (DataBiosphere/azul#8140)
                arguments("REPORT RequestId: 5b7e2a9c-8f3d-4c1a-9e6b-2d4f8a1c3e5f\tDuration: 180000.00 ms\tBilled Duration: "
                                + "180000 ms\tMemory Size: 1280 MB\tMax Memory Used: 1201 MB\tStatus: timeout\n",
                        report("5b7e2a9c-8f3d-4c1a-9e6b-2d4f8a1c3e5f", 180000, 180000, 1280, 1201, NA, NA, "timeout", null)),
                arguments("REPORT RequestId: 5b7e2a9c-8f3d-4c1a-9e6b-2d4f8a1c3e5f\tDuration: 3001.20 ms\tBilled Duration: "
                                + "3002 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB\tInit Duration: 410.07 ms\t"
                                + "Status: error\tError Type: Runtime.OutOfMemory\t\n",
                        report("5b7e2a9c-8f3d-4c1a-9e6b-2d4f8a1c3e5f", 3001.20, 3002, 512, 512, 410.07, NA, "error",
                                "Runtime.OutOfMemory")),
                arguments("REPORT RequestId: 5b7e2a9c-8f3d-4c1a-9e6b-2d4f8a1c3e5f Duration: 45.00 ms Billed Duration: 46 ms "
                                + "Memory Size: 256 MB Max Memory Used: 80 MB Status: error Error Type: Runtime.ExitError",
                        report("5b7e2a9c-8f3d-4c1a-9e6b-2d4f8a1c3e5f", 45, 46, 256, 80, NA, NA, "error", "Runtime.ExitError")),
                // SnapStart: no Init Duration, a Restore Duration and its billed twin (formats sample)
                arguments("REPORT RequestId: 73290a14-2aa0-a95b-3f41-1e82f1a380a5\tDuration: 31.29 ms\tBilled Duration: "
                                + "32 ms\tMemory Size: 512 MB\tMax Memory Used: 183 MB\tRestore Duration: 146.51 ms\t"
                                + "Billed Restore Duration: 147 ms\t\n",
                        report("73290a14-2aa0-a95b-3f41-1e82f1a380a5", 31.29, 32, 512, 183, NA, 146.51, null, null)),
                // fields out of order, no spaces after the colons, XRAY line appended
                arguments("REPORT RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa\tInit Duration:190.62 ms\t"
                                + "Max Memory Used:36 MB\tDuration:9.14 ms\tMemory Size:128 MB\tBilled Duration:10 ms\t\n"
                                + "XRAY TraceId: 1-636d1462-33ef10600061cad86dab71c8\tSegmentId: 7ccb4860675ee485\tSampled: true\t\n",
                        report(id, 9.14, 10, 128, 36, 190.62, NA, null, null)),
                // DataBiosphere/azul#4384
                arguments("2022-08-10T19:39:39.026Z 506df9d2-1d09-4159-a4ca-60bc5b53f1a6 Task timed out after 31.04 seconds",
                        timeout("506df9d2-1d09-4159-a4ca-60bc5b53f1a6")),
                arguments("2023-10-20T16:28:17.840Z\t4299ee26-a9a4-4c9b-8b1f-0e6c5e2a8c4c\tTask timed out after 31.01 seconds\n\n",
                        timeout("4299ee26-a9a4-4c9b-8b1f-0e6c5e2a8c4c")));
    }

    @ParameterizedTest
    @MethodSource("textLines")
    void parsesTextPlatformLines(String message, PlatformLine expected) {
        assertThat(LambdaLogParser.parse(message)).isEqualTo(expected);
    }

    // ---- JSON format ----

    static Stream<Arguments> jsonLines() {
        String id = "aec7a3b2-6d1f-4e0a-9c3b-7f2e5d8a1b64";
        return Stream.of(
                arguments("{\"time\":\"2024-06-17T17:23:55.902Z\",\"type\":\"platform.start\",\"record\":{\"requestId\":\""
                        + id + "\",\"version\":\"$LATEST\"}}", bare(id, Kind.START)),
                arguments("{\"time\":\"2024-06-17T17:23:55.902Z\",\"type\":\"platform.start\",\"record\":{\"requestId\":\""
                        + id + "\",\"functionArn\":\"arn:aws:lambda:eu-west-1:123456789012:function:f\",\"version\":\"$LATEST\"}}\n",
                        bare(id, Kind.START)),
                arguments("{\"time\":\"2026-07-09T06:05:50.562Z\",\"type\":\"platform.runtimeDone\",\"record\":{\"requestId\":\""
                                + id + "\",\"status\":\"timeout\",\"metrics\":{\"durationMs\":5001.182,\"producedBytes\":0}}}",
                        line(id, Kind.RUNTIME_DONE, 5001.182, NA, NA, NA, NA, NA, "timeout", null)),
                arguments("{\"time\":\"2026-07-09T06:05:50.581Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\""
                                + id + "\",\"metrics\":{\"durationMs\":5000.0,\"billedDurationMs\":5000,\"memorySizeMB\":128,"
                                + "\"maxMemoryUsedMB\":94},\"status\":\"timeout\"}}",
                        report(id, 5000, 5000, 128, 94, NA, NA, "timeout", null)),
                arguments("{\"time\":\"2026-10-08T07:30:29.470Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\""
                                + id + "\",\"metrics\":{\"durationMs\":1233.96,\"billedDurationMs\":1698,\"memorySizeMB\":256,"
                                + "\"maxMemoryUsedMB\":123,\"initDurationMs\":463.512},\"status\":\"success\"}}",
                        report(id, 1233.96, 1698, 256, 123, 463.512, NA, "success", null)),
                // key order differs, restoreDurationMs (SnapStart), failure is the Telemetry API word for error
                arguments("{\"record\":{\"status\":\"failure\",\"errorType\":\"Runtime.ExitError\",\"metrics\":{\"restoreDurationMs\":"
                                + "108.89,\"maxMemoryUsedMB\":146,\"memorySizeMB\":512,\"billedDurationMs\":73,\"durationMs\":72.23},"
                                + "\"requestId\":\"" + id + "\"},\"type\":\"platform.report\",\"time\":\"2024-11-23T22:13:39.963Z\"}",
                        report(id, 72.23, 73, 512, 146, NA, 108.89, "error", "Runtime.ExitError")),
                arguments("  {\"time\":\"2024-11-23T22:13:39.963Z\",\"type\":\"platform.runtimeDone\",\"record\":{\"requestId\":\""
                                + id + "\",\"status\":\"error\",\"errorType\":\"Runtime.Unknown\",\"metrics\":{\"durationMs\":12}}}",
                        line(id, Kind.RUNTIME_DONE, 12, NA, NA, NA, NA, NA, "error", "Runtime.Unknown")),
                arguments("{\"time\":\"2024-11-23T22:13:39.963Z\",\"type\":\"platform.end\",\"record\":{\"requestId\":\"" + id + "\"}}",
                        bare(id, Kind.END)),
                // a metric that is not a number is absent, not zero
                arguments("{\"type\":\"platform.report\",\"record\":{\"requestId\":\"" + id + "\",\"metrics\":{\"durationMs\":\"9\","
                                + "\"billedDurationMs\":null},\"status\":\"weird\"}}",
                        report(id, NA, NA, NA, NA, NA, NA, null, null)));
    }

    @ParameterizedTest
    @MethodSource("jsonLines")
    void parsesJsonPlatformLines(String message, PlatformLine expected) {
        assertThat(LambdaLogParser.parse(message)).isEqualTo(expected);
    }

    // ---- everything else is ignored ----

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        " \t\n",
        "INIT_START Runtime Version: python:3.12.v18\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:"
                + "23a5d01a7738492248748a69e3fa947977e72b360e14497d69131a8ebc052f88\n",
        "INIT_REPORT Init Duration: 0.44 ms Phase: init Status: error Error Type: Runtime.InvalidEntrypoint",
        "INIT_REPORT Init Duration: 1.49 ms\tPhase: invoke\tStatus: error\tError Type: Runtime.InvalidEntrypoint\n",
        "XRAY TraceId: 1-636d1462-33ef10600061cad86dab71c8\tSegmentId: 7ccb4860675ee485\tSampled: true\t\n",
        "EXTENSION\tName: datadog-agent\tState: Ready\tEvents: [INVOKE,SHUTDOWN]\n",
        "RequestId: 8e4fda21-3939-4a20-8d52-8eb18debcd13 Error: fork/exec /lambda-entrypoint.sh: exec format error",
        "Runtime.InvalidEntrypoint",
        "[INFO]\t2020-05-15T01:01:48.506Z\tb3cd4ea3-9d24-4448-807a-dfcf32f3248b\tHEAD https://example.org/ [status:200]\n",
        "2023-10-20T16:28:17.840Z\t4299ee26-a9a4-4c9b-8b1f-0e6c5e2a8c4c\tINFO\tTask timed out after 3 retries\n",
        "2023-10-20T16:28:17.840Z\t4299ee26-a9a4-4c9b-8b1f-0e6c5e2a8c4c\tERROR\tInvoke Error\n",
        "2023-10-20T16:28:17.840Z",
        "2023-10-20T16:28:17.840Z 4299ee26-a9a4-4c9b-8b1f-0e6c5e2a8c4c",
        "12",
        "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.",
        "STARTED RequestId: 06e46194-f277-454e-88d3-1dd7e3860eaa",
        "START RequestId:",
        "END RequestId:   \n",
        "REPORT RequestId:\t\n",
        "REPORT RequestId:\tDuration: 9.14 ms\tBilled Duration: 10 ms\t",
        "END RequestId: [06e46194]",
        "2023-10-20T16:28:17.840Z\t[4299ee26]\tTask timed out after 31.01 seconds",
        "REPORTING RequestId: 06e46194 Duration: 1 ms",
        "{\"timestamp\":\"2024-02-09T08:42:44.078Z\",\"level\":\"INFO\",\"requestId\":\"d661f7cf-6208-4a1e-98f4-8a2b0e4e8f11\","
                + "\"message\":\"Just some logs here =)\"}",
        "{\"timestamp\":\"2024-02-09T08:42:44.078Z\",\"level\":\"INFO\",\"requestId\":\"d661f7cf-6208-4a1e-98f4-8a2b0e4e8f11\","
                + "\"message\":\"saw \\\"platform.report\\\" from the telemetry API\"}",
        "{\"time\":\"2024-06-17T17:23:55.800Z\",\"type\":\"platform.initStart\",\"record\":{\"initializationType\":\"on-demand\","
                + "\"phase\":\"init\",\"runtimeVersion\":\"python:3.12.v18\",\"functionName\":\"f\",\"functionVersion\":\"$LATEST\"}}",
        "{\"time\":\"2024-06-17T17:23:55.900Z\",\"type\":\"platform.initRuntimeDone\",\"record\":{\"initializationType\":"
                + "\"on-demand\",\"phase\":\"init\",\"status\":\"success\"}}",
        "{\"time\":\"2024-06-17T17:23:55.901Z\",\"type\":\"platform.initReport\",\"record\":{\"initializationType\":\"on-demand\","
                + "\"phase\":\"init\",\"status\":\"success\",\"metrics\":{\"durationMs\":190.62}}}",
        "{\"time\":\"2024-06-17T17:23:55.901Z\",\"type\":\"platform.restoreReport\",\"record\":{\"status\":\"success\","
                + "\"metrics\":{\"durationMs\":146.51}}}",
        "{\"time\":\"2024-06-17T17:23:55.901Z\",\"type\":\"platform.logsDropped\",\"record\":{\"reason\":\"Consumer seems to"
                + " have fallen behind\",\"droppedRecords\":123,\"droppedBytes\":12345}}",
        "{\"time\":\"2024-06-17T17:23:55.901Z\",\"type\":\"platform.telemetrySubscription\",\"record\":{\"name\":\"ext\","
                + "\"state\":\"Subscribed\",\"types\":[\"platform\"]}}",
        "{\"time\":\"2024-06-17T17:23:55.901Z\",\"type\":\"function\",\"record\":\"platform.report is my favourite\"}",
        "{\"time\":\"2024-06-17T17:23:55.901Z\",\"type\":\"extension\",\"record\":{\"requestId\":\"d661f7cf\",\"x\":\"platform.\"}}",
        "{\"type\":\"platform.report\",\"record\":{\"metrics\":{\"durationMs\":1}}}",
        "{\"type\":\"platform.report\",\"record\":{\"requestId\":42}}",
        "{\"type\":\"platform.report\",\"record\":{\"requestId\":\"  \"}}",
        "{\"type\":\"platform.report\",\"record\":\"06e46194\"}",
        "{\"type\":\"platform.report\",\"record\":{\"requestId\":\"06e46194\"",
        "[\"platform.report\"]",
        "{\"type\":\"platform.report\"} trailing",
    })
    void ignoresLinesThatAreNotAboutAnInvocation(String message) {
        assertThat(LambdaLogParser.parse(message)).isNull();
    }

    // ---- the project's samples: both formats, native records and subscription envelopes ----

    @Test
    void parsesEverySampleLogLineToItsOwnRequestId() throws IOException {
        int parsed = 0;
        for (String row : readFixtureLines("formats-sample-logs.ndjson")) {
            JsonNode record = JSON.readTree(row);
            if (record.has("logEvents")) {
                for (JsonNode event : record.path("logEvents")) {
                    assertThat(LambdaLogParser.parse(event.path("message").asText())).as(event.toString()).isNotNull();
                    parsed++;
                }
            } else {
                PlatformLine line = LambdaLogParser.parse(record.path("message").asText());
                assertThat(line).as(row).isNotNull();
                assertThat(line.requestId()).isEqualTo(record.path("requestId").asText());
                parsed++;
            }
        }
        assertThat(parsed).isEqualTo(25);
    }

    // ---- never throws ----

    @Test
    void neverThrowsOnAnyPrefixOfARealLine() {
        Stream<String> valid = Stream.concat(textLines(), jsonLines()).map(arguments -> (String) arguments.get()[0]);
        valid.forEach(line -> {
            for (int end = 0; end <= line.length(); end++) {
                String prefix = line.substring(0, end);
                assertThatCode(() -> LambdaLogParser.parse(prefix)).as(prefix).doesNotThrowAnyException();
            }
        });
    }

    @Test
    void neverThrowsOnRandomMessages() {
        String[] pieces = {"START RequestId:", "END RequestId:", "REPORT RequestId:", "Duration:", "Billed Duration:",
            "Init Duration:", "Restore Duration:", "Status:", "Error Type:", " ms", "\t", " ", "\n", "{", "}", "[", "]",
            "\"", ":", ",", "\"type\"", "\"platform.report\"", "\"platform.start\"", "\"record\"", "\"requestId\"",
            "\"metrics\"", "\"durationMs\"", "1e999", "-0", "NaN", "9.", ".5", "\\u0000", "\\", "\uD800", "😀",
            "2023-10-20T16:28:17.840Z", "Task timed out after", "06e46194-f277"};
        Random random = new Random(20241123);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder message = new StringBuilder();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                if (random.nextInt(4) == 0) {
                    message.append((char) random.nextInt(0x3000));
                } else {
                    message.append(pieces[random.nextInt(pieces.length)]);
                }
            }
            String candidate = message.toString();
            assertThatCode(() -> LambdaLogParser.parse(candidate)).as(candidate).doesNotThrowAnyException();
        }
    }

    @Test
    void neverThrowsOnDeeplyNestedJson() {
        String deep = "{\"type\":\"platform.report\",\"record\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
        assertThat(LambdaLogParser.parse(deep)).isNull();
    }

    // ---- helpers ----

    private static PlatformLine line(String id, Kind kind, double duration, double billed, double memory, double maxMemory,
            double init, double restore, String status, String errorType) {
        return new PlatformLine(id, kind, duration, billed, memory, maxMemory, init, restore, status, errorType);
    }

    private static PlatformLine report(String id, double duration, double billed, double memory, double maxMemory,
            double init, double restore, String status, String errorType) {
        return line(id, Kind.REPORT, duration, billed, memory, maxMemory, init, restore, status, errorType);
    }

    private static PlatformLine bare(String id, Kind kind) {
        return line(id, kind, NA, NA, NA, NA, NA, NA, null, null);
    }

    private static PlatformLine timeout(String id) {
        return line(id, Kind.TIMEOUT, NA, NA, NA, NA, NA, NA, "timeout", null);
    }

    private static JsonNode readFixture(String name) throws IOException {
        try (InputStream in = LambdaLogParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            return JSON.readTree(in);
        }
    }

    private static List<String> readFixtureLines(String name) throws IOException {
        try (InputStream in = LambdaLogParserTest.class.getResourceAsStream("/fixtures/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /** A Kinesis record from a CloudWatch Logs subscription: base64 (of the Lambda event) of gzip of JSON. */
    private static JsonNode decodeCloudWatchData(String base64) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return JSON.readTree(in);
        }
    }
}
