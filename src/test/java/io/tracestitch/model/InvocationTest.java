package io.tracestitch.model;

import io.tracestitch.model.PlatformLine.Kind;

import io.tracestitch.operators.ingest.LambdaLogParser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class InvocationTest {

    private static final String ID = "06e46194-f277-454e-88d3-1dd7e3860eaa";
    private static final String FUNCTION = "orders-api";

    // Real-format lines of one invocation, parsed rather than built, so the parser and merge are checked together.
    private static final String START = "START RequestId: " + ID + " Version: $LATEST\n";
    private static final String END = "END RequestId: " + ID + "\n";
    private static final String COLD_REPORT = "REPORT RequestId: " + ID + "\tDuration: 9.14 ms\tBilled Duration: 10 ms\t"
            + "Memory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 190.62 ms\t\n"
            + "XRAY TraceId: 1-636d1462-33ef10600061cad86dab71c8\tSegmentId: 7ccb4860675ee485\tSampled: true\t\n";
    private static final String WARM_REPORT = "REPORT RequestId: " + ID + "\tDuration: 0.97 ms\tBilled Duration: 1 ms\t"
            + "Memory Size: 128 MB\tMax Memory Used: 37 MB\t\n";
    private static final String RESTORE_REPORT = "REPORT RequestId: " + ID + "\tDuration: 31.29 ms\tBilled Duration: 32 ms\t"
            + "Memory Size: 512 MB\tMax Memory Used: 183 MB\tRestore Duration: 146.51 ms\tBilled Restore Duration: 147 ms\t\n";
    private static final String TIMEOUT_REPORT = "REPORT RequestId: " + ID + "\tDuration: 3000.00 ms\tBilled Duration: "
            + "3000 ms\tMemory Size: 512 MB\tMax Memory Used: 201 MB\tInit Duration: 402.11 ms\tStatus: timeout\n";
    private static final String ERROR_REPORT = "REPORT RequestId: " + ID + "\tDuration: 11.48 ms\tBilled Duration: 12 ms\t"
            + "Memory Size: 128 MB\tMax Memory Used: 10 MB\tStatus: error\tError Type: Runtime.InvalidEntrypoint";
    private static final String TIMED_OUT = "2023-10-20T16:28:17.840Z " + ID + " Task timed out after 3.00 seconds";
    private static final String JSON_START = "{\"time\":\"2024-11-23T22:13:27.446Z\",\"type\":\"platform.start\","
            + "\"record\":{\"requestId\":\"" + ID + "\",\"version\":\"$LATEST\"}}";
    private static final String JSON_RUNTIME_DONE = "{\"time\":\"2024-11-23T22:13:27.658Z\",\"type\":\"platform.runtimeDone\","
            + "\"record\":{\"requestId\":\"" + ID + "\",\"status\":\"success\",\"metrics\":{\"durationMs\":9.50,\"producedBytes\":0}}}";
    private static final String JSON_RUNTIME_DONE_TIMEOUT = "{\"time\":\"2024-11-23T22:13:30.446Z\",\"type\":\"platform.runtimeDone\","
            + "\"record\":{\"requestId\":\"" + ID + "\",\"status\":\"timeout\",\"metrics\":{\"durationMs\":3001.18}}}";
    private static final String JSON_RUNTIME_DONE_ERROR = "{\"type\":\"platform.runtimeDone\",\"record\":{\"requestId\":\"" + ID
            + "\",\"status\":\"failure\",\"errorType\":\"Runtime.ExitError\",\"metrics\":{\"durationMs\":11.9}}}";
    private static final String JSON_COLD_REPORT = "{\"time\":\"2024-11-23T22:13:27.658Z\",\"type\":\"platform.report\","
            + "\"record\":{\"requestId\":\"" + ID + "\",\"metrics\":{\"durationMs\":9.14,\"billedDurationMs\":10,"
            + "\"memorySizeMB\":128,\"maxMemoryUsedMB\":36,\"initDurationMs\":190.62},\"status\":\"success\"}}";
    private static final String JSON_RESTORE_REPORT = "{\"type\":\"platform.report\",\"record\":{\"requestId\":\"" + ID
            + "\",\"metrics\":{\"durationMs\":31.29,\"billedDurationMs\":32,\"memorySizeMB\":512,\"maxMemoryUsedMB\":183,"
            + "\"restoreDurationMs\":146.51},\"status\":\"success\"}}";
    private static final String JSON_TIMEOUT_REPORT = "{\"type\":\"platform.report\",\"record\":{\"requestId\":\"" + ID
            + "\",\"metrics\":{\"durationMs\":3000.0,\"billedDurationMs\":3000,\"memorySizeMB\":512,\"maxMemoryUsedMB\":201,"
            + "\"initDurationMs\":402.11},\"status\":\"timeout\"}}";

    @Test
    void startsEmpty() {
        Invocation empty = Invocation.of(ID, FUNCTION);

        assertThat(empty).isEqualTo(new Invocation(ID, FUNCTION, false, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, false, null, null, false));
    }

    @Test
    void coldStartTakesEveryMetricFromTheReport() {
        Invocation invocation = fold(START, END, COLD_REPORT);

        assertThat(invocation).isEqualTo(new Invocation(ID, FUNCTION, true, 190.62, Double.NaN, 9.14, 10, 128, 36,
                false, null, null, true));
    }

    @Test
    void warmInvokeIsNotAColdStart() {
        Invocation invocation = fold(START, WARM_REPORT, END);

        assertThat(invocation.coldStart()).isFalse();
        assertThat(invocation.initDurationMs()).isNaN();
        assertThat(invocation.durationMs()).isEqualTo(0.97);
    }

    @Test
    void snapStartRestoreCountsAsColdStart() {
        Invocation invocation = fold(START, RESTORE_REPORT, END);

        assertThat(invocation.coldStart()).isTrue();
        assertThat(invocation.restoreDurationMs()).isEqualTo(146.51);
        assertThat(invocation.initDurationMs()).isNaN();
        assertThat(fold(JSON_START, JSON_RESTORE_REPORT)).isEqualTo(withStatus(invocation, "success"));
    }

    @Test
    void reportDurationWinsOverRuntimeDoneInEitherOrder() {
        assertThat(fold(JSON_RUNTIME_DONE, JSON_COLD_REPORT).durationMs()).isEqualTo(9.14);
        assertThat(fold(JSON_COLD_REPORT, JSON_RUNTIME_DONE).durationMs()).isEqualTo(9.14);
        assertThat(fold(JSON_RUNTIME_DONE).durationMs()).isEqualTo(9.50);
        assertThat(fold(JSON_RUNTIME_DONE).reportSeen()).isFalse();
    }

    @Test
    void runtimeDoneAloneIsNeverAColdStart() {
        Invocation invocation = fold(JSON_START, JSON_RUNTIME_DONE);

        assertThat(invocation.coldStart()).isFalse();
        assertThat(invocation.status()).isEqualTo("success");
        assertThat(invocation.billedDurationMs()).isNaN();
    }

    @Test
    void olderTimeoutLineAfterAReportWithoutStatusMarksTheTimeout() {
        Invocation invocation = fold(START, END, WARM_REPORT, TIMED_OUT);

        assertThat(invocation.timedOut()).isTrue();
        assertThat(invocation.status()).isEqualTo("timeout");
        assertThat(invocation.durationMs()).isEqualTo(0.97);
    }

    @Test
    void timeoutOutranksErrorAndSuccess() {
        Invocation invocation = fold(JSON_RUNTIME_DONE, ERROR_REPORT, JSON_RUNTIME_DONE_TIMEOUT);

        assertThat(invocation.status()).isEqualTo("timeout");
        assertThat(invocation.timedOut()).isTrue();
        assertThat(invocation.errorType()).isEqualTo("Runtime.InvalidEntrypoint");
        assertThat(fold(JSON_RUNTIME_DONE, ERROR_REPORT).status()).isEqualTo("error");
    }

    @Test
    void jsonFailureIsAnErrorAndTheSmallestErrorTypeIsKept() {
        Invocation invocation = fold(JSON_RUNTIME_DONE_ERROR, ERROR_REPORT);

        assertThat(invocation.status()).isEqualTo("error");
        assertThat(invocation.errorType()).isEqualTo("Runtime.ExitError");
        assertThat(invocation.timedOut()).isFalse();
    }

    // ---- order independence ----

    static Stream<Arguments> lineSets() {
        return Stream.of(
                arguments("text cold start with late timeout line", List.of(START, END, COLD_REPORT, TIMED_OUT, START)),
                arguments("text timeout report", List.of(START, END, TIMEOUT_REPORT, TIMED_OUT, TIMEOUT_REPORT)),
                arguments("json with runtimeDone", List.of(JSON_START, JSON_RUNTIME_DONE, JSON_COLD_REPORT, JSON_RUNTIME_DONE)),
                arguments("mixed formats, competing statuses and error types",
                        List.of(START, JSON_RUNTIME_DONE, ERROR_REPORT, JSON_RUNTIME_DONE_ERROR, TIMED_OUT, END)),
                arguments("snapstart, both formats", List.of(START, RESTORE_REPORT, JSON_RESTORE_REPORT, JSON_RUNTIME_DONE, END)),
                arguments("every kind", List.of(START, END, COLD_REPORT, TIMED_OUT, JSON_RUNTIME_DONE, JSON_RUNTIME_DONE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lineSets")
    void everyOrderOfTheSameLinesGivesTheSameInvocation(String scenario, List<String> lines) {
        Set<Invocation> results = new HashSet<>();
        for (List<String> order : permutations(lines)) {
            results.add(fold(order.toArray(String[]::new)));
        }

        assertThat(results).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lineSets")
    void duplicatesChangeNothing(String scenario, List<String> lines) {
        List<String> doubled = new ArrayList<>(lines);
        doubled.addAll(lines);
        Collections.shuffle(doubled, new Random(7));

        assertThat(fold(doubled.toArray(String[]::new))).isEqualTo(fold(lines.toArray(String[]::new)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lineSets")
    void mergingPartialInvocationsMatchesApplyingEveryLine(String scenario, List<String> lines) {
        Invocation whole = fold(lines.toArray(String[]::new));
        Random random = new Random(11);
        for (int attempt = 0; attempt < 50; attempt++) {
            List<String> left = new ArrayList<>();
            List<String> right = new ArrayList<>();
            for (String line : lines) {
                (random.nextBoolean() ? left : right).add(line);
            }
            Invocation a = fold(left.toArray(String[]::new));
            Invocation b = fold(right.toArray(String[]::new));

            assertThat(a.merge(b)).isEqualTo(whole);
            assertThat(b.merge(a)).isEqualTo(whole);
            assertThat(whole.merge(a)).isEqualTo(whole);
        }
    }

    // ---- both log formats ----

    @Test
    void textAndJsonOfTheSameTimedOutColdStartGiveTheSameInvocation() {
        Invocation text = fold(START, TIMEOUT_REPORT, END);
        Invocation json = fold(JSON_START, JSON_RUNTIME_DONE_TIMEOUT, JSON_TIMEOUT_REPORT);

        assertThat(json).isEqualTo(text);
        assertThat(text.timedOut()).isTrue();
        assertThat(text.coldStart()).isTrue();
    }

    @Test
    void textReportWithoutStatusLeavesStatusUnknownWhereJsonSaysSuccess() {
        Invocation text = fold(START, COLD_REPORT, END);
        Invocation json = fold(JSON_START, JSON_RUNTIME_DONE, JSON_COLD_REPORT);

        // A successful text REPORT has no Status field, and older failed invokes had none either, so it stays null.
        assertThat(text.status()).isNull();
        assertThat(json.status()).isEqualTo("success");
        assertThat(json).isEqualTo(withStatus(text, "success"));
    }

    // ---- identity ----

    @Test
    void keepsTheGivenFunctionAndFillsAMissingOneOnMerge() {
        Invocation named = Invocation.of(ID, FUNCTION).with(LambdaLogParser.parse(COLD_REPORT));
        Invocation unnamed = Invocation.of(ID, null).with(LambdaLogParser.parse(TIMED_OUT));

        assertThat(named.merge(unnamed).function()).isEqualTo(FUNCTION);
        assertThat(unnamed.merge(named).function()).isEqualTo(FUNCTION);
        assertThat(unnamed.function()).isNull();
        assertThat(Invocation.of(ID, "b").merge(Invocation.of(ID, "a")).function()).isEqualTo("a");
    }

    @Test
    void refusesLinesAndInvocationsOfAnotherRequest() {
        Invocation invocation = Invocation.of(ID, FUNCTION);
        PlatformLine other = new PlatformLine("4dfec460-05bb-4f62-8fed-e5cade099a36", Kind.END, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, null);

        assertThatThrownBy(() -> invocation.with(other)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> invocation.merge(Invocation.of(other.requestId(), FUNCTION)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ----

    private static Invocation fold(String... messages) {
        Invocation invocation = Invocation.of(ID, FUNCTION);
        for (String message : messages) {
            PlatformLine line = LambdaLogParser.parse(message);
            assertThat(line).as(message).isNotNull();
            invocation = invocation.with(line);
        }
        return invocation;
    }

    private static Invocation withStatus(Invocation i, String status) {
        return new Invocation(i.requestId(), i.function(), i.coldStart(), i.initDurationMs(), i.restoreDurationMs(),
                i.durationMs(), i.billedDurationMs(), i.memorySizeMb(), i.maxMemoryUsedMb(), i.timedOut(), status,
                i.errorType(), i.reportSeen());
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> permutation = new ArrayList<>();
                permutation.add(head);
                permutation.addAll(tail);
                result.add(permutation);
            }
        }
        return result;
    }
}
