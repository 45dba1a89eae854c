package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.PlatformLine;
import io.tracestitch.model.Span;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordParserTest {

    /** Collects what one line yields. */
    static final class Collected implements RecordParser.Output {
        final List<Span> spans = new ArrayList<>();
        final List<LogFact> logs = new ArrayList<>();
        final List<DeadLetter> dead = new ArrayList<>();
        int ignored;

        @Override
        public void span(Span span) {
            spans.add(span);
        }

        @Override
        public void log(LogFact log) {
            logs.add(log);
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            dead.add(deadLetter);
        }

        @Override
        public void ignored() {
            ignored++;
        }

        Span onlySpan() {
            assertThat(dead).as("dead letters").isEmpty();
            assertThat(spans).hasSize(1);
            return spans.get(0);
        }

        DeadLetter onlyDead() {
            assertThat(spans).isEmpty();
            assertThat(logs).isEmpty();
            assertThat(dead).hasSize(1);
            return dead.get(0);
        }
    }

    static Collected parse(String line) {
        return parse(utf8(line));
    }

    static Collected parse(byte[] line) {
        Collected c = new Collected();
        new RecordParser().parse(line, c);
        return c;
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final String REQ = "20de435d-2031-d750-c40d-b9b4885f6e66";
    private static final String REPORT = "REPORT RequestId: " + REQ
            + "\\tDuration: 92.61 ms\\tBilled Duration: 93 ms\\tMemory Size: 512 MB\\tMax Memory Used: 78 MB\\tInit Duration: 210.5 ms\\t";

    static String span(String extra) {
        return "{\"type\":\"span\",\"tenant\":\"111\",\"traceId\":\"t1\",\"spanId\":\"s1\",\"service\":\"orders\","
                + "\"name\":\"n\",\"kind\":\"SERVER\",\"startMs\":1000.5,\"endMs\":1200.25,\"status\":\"ok\"" + extra + "}";
    }

    static String message(String system, String operation, String destination, String id) {
        return span(",\"messages\":[{\"system\":\"" + system + "\",\"operation\":\"" + operation
                + "\",\"destination\":\"" + destination + "\",\"id\":\"" + id + "\"}]");
    }

    @Test
    void nativeSpan() {
        Span s = parse(span(",\"parentSpanId\":\"p0\",\"requestId\":\"" + REQ + "\","
                + "\"links\":[{\"traceId\":\"t9\",\"spanId\":\"s9\"}],\"attributes\":{\"a\":1}")).onlySpan();
        assertThat(s.tenant()).isEqualTo("111");
        assertThat(s.traceId()).isEqualTo("t1");
        assertThat(s.spanId()).isEqualTo("s1");
        assertThat(s.parentSpanId()).isEqualTo("p0");
        assertThat(s.service()).isEqualTo("orders");
        assertThat(s.kind()).isEqualTo("server");
        assertThat(s.startMs()).isEqualTo(1000.5);
        assertThat(s.endMs()).isEqualTo(1200.25);
        assertThat(s.eventTimeMs()).isEqualTo(1200L);
        assertThat(s.error()).isFalse();
        assertThat(s.requestId()).isEqualTo(REQ);
        assertThat(s.links()).hasSize(1);
        assertThat(s.links()[0].traceId()).isEqualTo("t9");
        assertThat(s.attributesJson()).isEqualTo("{\"a\":1}");
    }

    @Test
    void nativeLog() {
        Collected c = parse("{\"type\":\"log\",\"tenant\":\"222\",\"function\":\"orders-api\",\"requestId\":\"" + REQ
                + "\",\"timestampMs\":1732400008670.667,\"message\":\"" + REPORT + "\"}");
        assertThat(c.dead).isEmpty();
        assertThat(c.logs).hasSize(1);
        LogFact f = c.logs.get(0);
        assertThat(f.tenant()).isEqualTo("222");
        assertThat(f.function()).isEqualTo("orders-api");
        assertThat(f.timestampMs()).isEqualTo(1732400008670L);
        assertThat(f.line().requestId()).isEqualTo(REQ);
        assertThat(f.line().kind()).isEqualTo(PlatformLine.Kind.REPORT);
        assertThat(f.line().durationMs()).isEqualTo(92.61);
        assertThat(f.line().initDurationMs()).isEqualTo(210.5);
    }

    @Test
    void applicationLogOutputIsIgnoredNotDead() {
        Collected c = parse("{\"type\":\"log\",\"tenant\":\"222\",\"function\":\"f\",\"timestampMs\":1,"
                + "\"message\":\"hello from the handler\"}");
        assertThat(c.logs).isEmpty();
        assertThat(c.dead).isEmpty();
        assertThat(c.ignored).isEqualTo(1);
    }

    @Test
    void cloudWatchEnvelope() {
        Collected c = parse("{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"333\",\"logGroup\":\"/aws/lambda/payments\","
                + "\"logStream\":\"s\",\"subscriptionFilters\":[\"x\"],\"logEvents\":["
                + "{\"id\":\"1\",\"timestamp\":1732400060070,\"message\":\"START RequestId: " + REQ + " Version: $LATEST\\n\"},"
                + "{\"id\":\"2\",\"timestamp\":1732400060071,\"message\":\"app output\"},"
                + "{\"id\":\"3\",\"timestamp\":1732400060860,\"message\":\"" + REPORT + "\\n\"}]}");
        assertThat(c.dead).isEmpty();
        assertThat(c.logs).extracting(LogFact::tenant).containsOnly("333");
        assertThat(c.logs).extracting(LogFact::function).containsOnly("payments");
        assertThat(c.logs).extracting(l -> l.line().kind()).contains(PlatformLine.Kind.REPORT);
        assertThat(c.logs).extracting(LogFact::timestampMs).contains(1732400060860L);
        assertThat(c.ignored).isGreaterThanOrEqualTo(1); // the application line
    }

    @Test
    void customLogGroupNamesTheFunction() {
        Collected c = parse("{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"333\",\"logGroup\":\"my-group\","
                + "\"logEvents\":[{\"timestamp\":1,\"message\":\"" + REPORT + "\"}]}");
        assertThat(c.logs).extracting(LogFact::function).containsExactly("my-group");
    }

    @Test
    void controlMessageIsIgnored() {
        Collected c = parse("{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","
                + "\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\",\"timestamp\":1,"
                + "\"message\":\"CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.\"}]}");
        assertThat(c.spans).isEmpty();
        assertThat(c.logs).isEmpty();
        assertThat(c.dead).isEmpty();
        assertThat(c.ignored).isEqualTo(1);
    }

    @Test
    void sqsDestinationFormsGiveOneKeyWithoutTheQueue() {
        String id = "22f235f2-e11b-868d-bf0d-073d821c1336";
        MessageRef arn = parse(message("sqs", "publish", "arn:aws:sqs:us-east-1:111:queue-0", id)).onlySpan().messages()[0];
        MessageRef url = parse(message("aws_sqs", "receive", "https://sqs.us-east-1.amazonaws.com/111/queue-0", id))
                .onlySpan().messages()[0];
        MessageRef name = parse(message("SQS", "process", "queue-0", id)).onlySpan().messages()[0];
        MessageRef otherQueue = parse(message("sqs", "receive", "queue-1", id)).onlySpan().messages()[0];
        assertThat(arn.publish()).isTrue();
        assertThat(url.publish()).isFalse();
        assertThat(arn.system()).isEqualTo("sqs");
        assertThat(url.system()).isEqualTo("sqs");
        assertThat(name.system()).isEqualTo("sqs");
        assertThat(arn.destination()).isEqualTo("queue-0");
        assertThat(url.destination()).isEqualTo("queue-0");
        assertThat(name.destination()).isEqualTo("queue-0");
        assertThat(url.joinKey()).isEqualTo(arn.joinKey()).isEqualTo(name.joinKey());
        assertThat(otherQueue.joinKey()).as("sqs keys do not include the queue").isEqualTo(arn.joinKey());
        assertThat(arn.joinKey().stream()).isEmpty();
    }

    @Test
    void kinesisDestinationFormsGiveOneKeyThatIncludesTheStream() {
        String seq = "shardId-000000000001:4954511524349098501828006771497";
        MessageRef arn = parse(message("kinesis", "publish", "arn:aws:kinesis:us-east-1:111:stream/pay", seq))
                .onlySpan().messages()[0];
        MessageRef efo = parse(message("aws_kinesis", "receive",
                "arn:aws:kinesis:us-east-1:111:stream/pay/consumer/tracestitch:1732400000", seq)).onlySpan().messages()[0];
        MessageRef name = parse(message("Kinesis", "receive", "pay", seq)).onlySpan().messages()[0];
        MessageRef otherStream = parse(message("kinesis", "receive", "arn:aws:kinesis:us-east-1:111:stream/ship", seq))
                .onlySpan().messages()[0];
        assertThat(arn.destination()).isEqualTo("pay");
        assertThat(efo.destination()).isEqualTo("pay");
        assertThat(name.destination()).isEqualTo("pay");
        assertThat(efo.joinKey()).isEqualTo(arn.joinKey()).isEqualTo(name.joinKey());
        assertThat(otherStream.joinKey()).as("kinesis keys include the stream").isNotEqualTo(arn.joinKey());
    }

    @Test
    void snsTopicArnAndNameAndTenantsInTheKey() {
        MessageRef a = parse(message("sns", "publish", "arn:aws:sns:us-east-1:111:orders", "m1")).onlySpan().messages()[0];
        MessageRef b = parse(message("aws.sns", "receive", "orders", "m1")).onlySpan().messages()[0];
        assertThat(a.joinKey()).isEqualTo(b.joinKey());
        String otherTenant = span(",\"messages\":[{\"system\":\"sns\",\"operation\":\"receive\",\"id\":\"m1\"}]")
                .replace("\"tenant\":\"111\"", "\"tenant\":\"999\"");
        assertThat(parse(otherTenant).onlySpan().messages()[0].joinKey()).isNotEqualTo(a.joinKey());
    }

    @Test
    void tenantDefaultsToDefault() {
        String line = span("").replace("\"tenant\":\"111\",", "");
        assertThat(parse(line).onlySpan().tenant()).isEqualTo("default");
        assertThat(parse(span("").replace("\"tenant\":\"111\"", "\"tenant\":\"\"")).onlySpan().tenant())
                .isEqualTo("default");
        assertThat(parse(span("").replace("\"tenant\":\"111\"", "\"tenant\":null")).onlySpan().tenant())
                .isEqualTo("default");
        Collected log = parse("{\"type\":\"log\",\"function\":\"f\",\"timestampMs\":1,\"message\":\"" + REPORT + "\"}");
        assertThat(log.logs).extracting(LogFact::tenant).containsExactly("default");
    }

    @Test
    void fieldOrderIsIrrelevant() {
        String forward = "{\"type\":\"span\",\"tenant\":\"111\",\"traceId\":\"t1\",\"spanId\":\"s1\",\"startMs\":1,"
                + "\"endMs\":2,\"messages\":[{\"system\":\"sns\",\"operation\":\"publish\",\"destination\":\"d\",\"id\":\"m\"}]}";
        String backward = "{\"messages\":[{\"id\":\"m\",\"destination\":\"d\",\"operation\":\"publish\",\"system\":\"sns\"}],"
                + "\"endMs\":2,\"startMs\":1,\"spanId\":\"s1\",\"traceId\":\"t1\",\"tenant\":\"111\",\"type\":\"span\"}";
        Span a = parse(forward).onlySpan();
        Span b = parse(backward).onlySpan();
        assertThat(b).usingRecursiveComparison().isEqualTo(a);

        String envelopeBackward = "{\"logEvents\":[{\"message\":\"" + REPORT + "\",\"timestamp\":5}],"
                + "\"logGroup\":\"/aws/lambda/f\",\"owner\":\"333\",\"messageType\":\"DATA_MESSAGE\"}";
        assertThat(parse(envelopeBackward).logs).extracting(LogFact::tenant, LogFact::function)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("333", "f"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json at all",
        "\u0000\u0001",
        "{\"type\":\"span\",\"tenant\":\"x\",\"traceId\":",
        "[]",
        "[{\"type\":\"span\"}]",
        "42",
        "\"span\"",
        "null",
        "{\"type\":\"mystery\"}",
        "{\"traceId\":\"t\",\"spanId\":\"s\",\"startMs\":1,\"endMs\":2}",
        "{\"type\":5}",
        "{\"type\":\"span\",\"traceId\":null,\"spanId\":\"ab\"}",
        "{\"type\":\"span\",\"spanId\":\"ab\",\"startMs\":1,\"endMs\":2}",
        "{\"type\":\"span\",\"traceId\":\"aa\",\"startMs\":1,\"endMs\":2}",
        "{\"type\":\"span\",\"traceId\":\"\",\"spanId\":\"ab\",\"startMs\":1,\"endMs\":2}",
        "{\"type\":\"span\",\"traceId\":17,\"spanId\":\"ab\",\"startMs\":1,\"endMs\":2}",
        "{\"type\":\"span\",\"traceId\":\"aa\",\"spanId\":[\"ab\"],\"startMs\":1,\"endMs\":2}",
        "{\"type\":\"span\",\"tenant\":\"t\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":\"yesterday\",\"endMs\":5}",
        "{\"type\":\"span\",\"tenant\":\"t\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":\"5\"}",
        "{\"type\":\"span\",\"tenant\":\"t\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1}",
        "{\"type\":\"span\",\"tenant\":\"t\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"endMs\":1}",
        "{\"type\":\"span\",\"tenant\":7,\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":2}",
        "{\"type\":\"span\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":2,\"messages\":\"m\"}",
        "{\"type\":\"span\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":2,\"links\":{}}",
        "{\"type\":\"log\",\"message\":12}",
        "{\"type\":\"log\",\"timestampMs\":1,\"message\":12}",
        "{\"type\":\"log\",\"timestampMs\":1,\"message\":null}",
        "{\"type\":\"log\",\"timestampMs\":\"x\",\"message\":\"m\"}",
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111\",\"logGroup\":\"/aws/lambda/payments\",\"logEvents\":\"none\"}",
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111\",\"logGroup\":\"/aws/lambda/payments\"}",
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111\",\"logEvents\":[{\"timestamp\":1,\"message\":3}]}",
        "{\"messageType\":\"SOMETHING\",\"owner\":\"111\",\"logEvents\":[]}",
        "{\"type\":\"span\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":2} trailing",
        "{\"type\":\"span\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":2}{}",
    })
    void badInputIsADeadLetterWithAReason(String line) {
        DeadLetter d = parse(line).onlyDead();
        assertThat(d.reason()).isNotBlank();
        assertThat(d.raw()).isEqualTo(line);
    }

    @Test
    void idsOver256CharsAreDead() {
        String id256 = "f".repeat(256);
        String id257 = "f".repeat(257);
        String ok = "{\"type\":\"span\",\"tenant\":\"t\",\"traceId\":\"" + id256 + "\",\"spanId\":\"" + id256
                + "\",\"startMs\":1,\"endMs\":2}";
        assertThat(parse(ok).onlySpan().traceId()).hasSize(256);
        for (String field : List.of("traceId", "spanId", "tenant")) {
            String line = ok.replace("\"" + field + "\":\"" + (field.equals("tenant") ? "t" : id256) + "\"",
                    "\"" + field + "\":\"" + id257 + "\"");
            assertThat(line).contains(id257);
            DeadLetter d = parse(line).onlyDead();
            assertThat(d.reason()).as(field).contains(field);
        }
    }

    @Test
    void linesOver1MiBOfUtf8AreDeadAndTruncatedInTheDeadLetter() {
        String pad = "x".repeat(RecordParser.MAX_LINE_BYTES);
        String line = span(",\"attributes\":{\"pad\":\"" + pad + "\"}");
        DeadLetter d = parse(line).onlyDead();
        assertThat(d.reason()).isEqualTo("line-too-long");
        assertThat(d.detail()).isEqualTo(utf8(line).length + " bytes, over the limit of 1048576");
        assertThat(d.raw()).hasSize(DeadLetter.MAX_RAW_CHARS).isEqualTo(line.substring(0, DeadLetter.MAX_RAW_CHARS));

        String justUnder = span(",\"attributes\":{\"pad\":\"" + "x".repeat(RecordParser.MAX_LINE_BYTES - 400) + "\"}");
        assertThat(utf8(justUnder).length).isLessThanOrEqualTo(RecordParser.MAX_LINE_BYTES);
        assertThat(parse(justUnder).onlySpan().traceId()).isEqualTo("t1");
    }

    @Test
    void theLimitCountsUtf8BytesNotChars() {
        // 'é' is one char and two bytes: these lines have fewer chars than the limit but more bytes.
        String line = span(",\"attributes\":{\"pad\":\"" + "é".repeat(RecordParser.MAX_LINE_BYTES / 2) + "\"}");
        assertThat(line.length()).isLessThan(RecordParser.MAX_LINE_BYTES);
        assertThat(parse(line).onlyDead().reason()).isEqualTo("line-too-long");
    }

    @Test
    void blankLineIsIgnored() {
        Collected c = parse("   ");
        assertThat(c.dead).isEmpty();
        assertThat(c.ignored).isEqualTo(1);
    }

    @Test
    void errorStatusAndDefaults() {
        Span s = parse("{\"type\":\"span\",\"traceId\":\"aa\",\"spanId\":\"bb\",\"startMs\":1,\"endMs\":2,\"status\":\"ERROR\"}")
                .onlySpan();
        assertThat(s.error()).isTrue();
        assertThat(s.service()).isEqualTo("unknown");
        assertThat(s.kind()).isEqualTo("internal");
        assertThat(s.messages()).isEmpty();
        assertThat(s.links()).isEmpty();
        assertThat(s.parentSpanId()).isNull();
        assertThat(s.requestId()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {" x", "{}", " ]", " \"", ",", " {\"type\":\"span\"}", " null", "\u0000"})
    void anythingButWhitespaceAfterTheObjectIsTrailingContent(String after) {
        assertThat(parse(span("") + after).onlyDead().reason()).isEqualTo("trailing-content");
        assertThat(parse(span("") + " \t\r").onlySpan().traceId()).isEqualTo("t1");
    }

    @ParameterizedTest
    @MethodSource("requiredFields")
    void aRequiredFieldThatIsNullOrAbsentIsMissing(String field) {
        assertThat(parse(spoil(field, NullNode.getInstance())).onlyDead().reason()).isEqualTo("missing-" + field);
        assertThat(parse(spoil(field, null)).onlyDead().reason()).isEqualTo("missing-" + field);
    }

    static Stream<String> requiredFields() {
        return RecordParser.REASONS.stream().filter(r -> r.startsWith("missing-") && !r.equals("missing-type"))
                .map(r -> r.substring("missing-".length()));
    }

    @Test
    void nestingDeeperThan64LevelsIsTooDeeplyNested() {
        // The line's object is level 1 and attributes level 2: 62 arrays inside reach level 64.
        String deepest = span(",\"attributes\":{\"a\":" + "[".repeat(62) + "]".repeat(62) + "}");
        assertThat(parse(deepest).onlySpan().attributesJson()).startsWith("{\"a\":[[");
        DeadLetter d = parse(span(",\"attributes\":{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}")).onlyDead();
        assertThat(d.reason()).isEqualTo("too-deeply-nested");
        assertThat(d.detail()).isEqualTo("nested deeper than 64 levels");
        assertThat(parse(span(",\"unknown\":" + "[".repeat(70) + "]".repeat(70))).onlyDead().reason())
                .as("skipped fields count too").isEqualTo("too-deeply-nested");
    }

    @Test
    void jacksonsOtherReadLimitsHaveReasonsOfTheirOwn() {
        DeadLetter number = parse(span(",\"n\":" + "1".repeat(1001))).onlyDead();
        assertThat(number.reason()).isEqualTo("number-too-long");
        assertThat(number.detail()).isEqualTo("a number longer than 1000 characters");
        DeadLetter name = parse(span(",\"" + "n".repeat(50_001) + "\":1")).onlyDead();
        assertThat(name.reason()).isEqualTo("field-name-too-long");
        assertThat(name.detail()).isEqualTo("a field name longer than 50000 characters");
        // Strings and whole documents stay far below Jackson's limits within the 1 MiB line limit.
        String longString = span(",\"attributes\":{\"s\":\"" + "s".repeat(RecordParser.MAX_LINE_BYTES - 300) + "\"}");
        assertThat(parse(longString).onlySpan().attributesJson()).hasSizeGreaterThan(RecordParser.MAX_LINE_BYTES - 300);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "startMs | -1 | startMs -1 is before 1970-01-01T00:00:00Z",
        "startMs | -9.3e15 | startMs -9300000000000000 is before 1970-01-01T00:00:00Z",
        "startMs | 1e400 | startMs is not a finite number",
        "endMs | -1e400 | endMs is not a finite number",
        "endMs | 253402300799999.5 | endMs 253402300799999.5 is after 9999-12-31T23:59:59.999Z",
        "endMs | 400000000000000 | endMs 400000000000000 is after 9999-12-31T23:59:59.999Z",
        "endMs | 1732400010185207 | endMs 1732400010185207 is after 9999-12-31T23:59:59.999Z: looks like epoch microseconds, divide by 1000",
        "endMs | 9.3e15 | endMs 9300000000000000 is after 9999-12-31T23:59:59.999Z: looks like epoch microseconds, divide by 1000",
        "endMs | 1.7e18 | endMs 1700000000000000000 is after 9999-12-31T23:59:59.999Z: looks like epoch nanoseconds, divide by 1000000",
        "endMs | 9223372036854775808 | endMs 9223372036854776000 is after 9999-12-31T23:59:59.999Z: looks like epoch nanoseconds, divide by 1000000",
        "endMs | 1e25 | endMs 10000000000000000000000000 is after 9999-12-31T23:59:59.999Z",
    })
    void spanTimesOutsideTheRangeAreInvalidTimeAndSayWhatIsWrong(String field, String value, String detail) {
        String line = span("").replace("\"" + field + "\":" + (field.equals("startMs") ? "1000.5" : "1200.25"),
                "\"" + field + "\":" + value);
        DeadLetter d = parse(line).onlyDead();
        assertThat(d.reason()).isEqualTo("invalid-time");
        assertThat(d.detail()).isEqualTo(detail);
    }

    @Test
    void theRangeIsFrom1970ToTheEndOf9999AndEndMayNotPrecedeStart() {
        Span widest = parse(span("").replace("1000.5", "0").replace("1200.25", "253402300799999")).onlySpan();
        assertThat(widest.startMs()).isZero();
        assertThat(widest.eventTimeMs()).isEqualTo(253402300799999L);
        DeadLetter backwards = parse(span("").replace("\"startMs\":1000.5,\"endMs\":1200.25",
                "\"startMs\":1200.25,\"endMs\":1000")).onlyDead();
        assertThat(backwards.reason()).isEqualTo("invalid-time");
        assertThat(backwards.detail()).isEqualTo("endMs 1000 is before startMs 1200.25");
    }

    @Test
    void logTimesOutsideTheRangeAreInvalidTimeToo() {
        DeadLetter log = parse("{\"type\":\"log\",\"timestampMs\":-5,\"message\":\"" + REPORT + "\"}").onlyDead();
        assertThat(log.reason()).isEqualTo("invalid-time");
        assertThat(log.detail()).isEqualTo("timestampMs -5 is before 1970-01-01T00:00:00Z");
        // One bad event rejects the whole message, before any of its events is handed on.
        DeadLetter envelope = parse("{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":["
                + "{\"timestamp\":1732400060070,\"message\":\"" + REPORT + "\"},"
                + "{\"timestamp\":1732400060070123,\"message\":\"" + REPORT + "\"}]}").onlyDead();
        assertThat(envelope.reason()).isEqualTo("invalid-time");
        assertThat(envelope.detail()).isEqualTo("logEvents.timestamp 1732400060070123 is after "
                + "9999-12-31T23:59:59.999Z: looks like epoch microseconds, divide by 1000");
    }

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                Arguments.of("a lead byte without its continuation", new int[] {0xC3}),
                Arguments.of("a lone continuation byte", new int[] {0x80}),
                Arguments.of("an overlong NUL", new int[] {0xC0, 0x80}),
                Arguments.of("an overlong slash", new int[] {0xE0, 0x80, 0xAF}),
                Arguments.of("a UTF-16 surrogate", new int[] {0xED, 0xA0, 0x80}),
                Arguments.of("a code point above U+10FFFF", new int[] {0xF4, 0x90, 0x80, 0x80}),
                Arguments.of("a five-byte form", new int[] {0xF8, 0x88, 0x80, 0x80, 0x80}),
                Arguments.of("a byte never used in UTF-8", new int[] {0xFF}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void invalidUtf8IsInvalidEncodingAndSaysWhere(String what, int[] bad) {
        for (String field : List.of("service", "unknownField")) {
            byte[] prefix = utf8(span("").replace("}", ",\"" + field + "\":\""));
            byte[] line = concat(prefix, bytes(bad), utf8("\"}"));
            DeadLetter d = parse(line).onlyDead();
            assertThat(d.reason()).as(field).isEqualTo("invalid-encoding");
            assertThat(d.detail()).isEqualTo("not valid UTF-8 at byte " + prefix.length);
            assertThat(d.raw()).startsWith(span("").substring(0, 40)).contains("\uFFFD");
        }
    }

    @Test
    void wellFormedUtf8OfEveryLengthIsRead() {
        String service = "zahlung-é-€-日本-😀";
        assertThat(parse(span("").replace("\"orders\"", "\"" + service + "\"")).onlySpan().service()).isEqualTo(service);
    }

    @Test
    void aLineIsUtf8NeverAnotherEncodingGuessedFromItsFirstBytes() {
        // Jackson would skip the mark and read UTF-16 from the NULs; in a file both are content.
        DeadLetter bom = parse(concat(bytes(new int[] {0xEF, 0xBB, 0xBF}), utf8(span("")))).onlyDead();
        assertThat(bom.reason()).isEqualTo("malformed-json");
        assertThat(bom.raw()).startsWith("\uFEFF{");
        assertThat(parse(span("").getBytes(StandardCharsets.UTF_16LE)).onlyDead().reason()).isEqualTo("malformed-json");
        assertThat(parse(span("").getBytes(StandardCharsets.UTF_16BE)).onlyDead().reason()).isEqualTo("malformed-json");
    }

    @ParameterizedTest
    @ValueSource(strings = {",\"message\":5", ",\"function\":{\"name\":\"x\"}", ",\"timestampMs\":\"noon\"",
        ",\"logEvents\":[{\"timestamp\":\"x\"}]", ",\"owner\":[1]", ",\"logGroup\":7"})
    void aSpanIgnoresWhatFieldsOfOtherKindsHold(String extra) {
        assertThat(parse(span(extra)).onlySpan().traceId()).isEqualTo("t1");
    }

    @ParameterizedTest
    @ValueSource(strings = {",\"traceId\":7", ",\"messages\":[{\"system\":5}]", ",\"links\":{}", ",\"startMs\":\"x\"",
        ",\"attributes\":[]", ",\"requestId\":{\"id\":[1,2]}"})
    void aLogIgnoresWhatFieldsOfOtherKindsHold(String extra) {
        Collected c = parse("{\"type\":\"log\",\"timestampMs\":1,\"message\":\"" + REPORT + "\"" + extra + "}");
        assertThat(c.dead).isEmpty();
        assertThat(c.logs).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\u0000", "\\u001F", "\\u007F", "\\u0085", "\\u009F"})
    void idsWithControlCharactersOfAnyRangeAreInvalid(String control) { // as JSON escapes: raw C0 is not JSON
        assertThat(parse(span("").replace("\"t1\"", "\"t" + control + "1\"")).onlyDead().reason())
                .isEqualTo("invalid-traceId");
        assertThat(parse(span("").replace("\"t1\"", "\"t\u00A01\"")).onlySpan().traceId()).isEqualTo("t\u00A01");
    }

    @Test
    void anEmptyLinkSpanIdMeansNoneLikeTheOtherOptionalIds() {
        Span s = parse(span(",\"parentSpanId\":\"\",\"requestId\":\"\",\"links\":[{\"traceId\":\"t9\",\"spanId\":\"\"}]"))
                .onlySpan();
        assertThat(s.links()[0].spanId()).isNull();
        assertThat(s.parentSpanId()).isNull();
        assertThat(s.requestId()).isNull();
    }

    @Test
    void malformedJsonSaysWhatJacksonFound() {
        DeadLetter d = parse("{\"type\":\"span\",\"traceId\" 1}").onlyDead();
        assertThat(d.reason()).isEqualTo("malformed-json");
        assertThat(d.detail()).contains("was expecting a colon").doesNotContain("Source");
    }

    // --- Every reason, and the README's table ---

    /** Records of each kind with every field their kind reads, so that any one of them can be spoilt. */
    private static final String FULL_SPAN = "{\"type\":\"span\",\"tenant\":\"t\",\"traceId\":\"a\",\"spanId\":\"b\","
            + "\"parentSpanId\":\"p\",\"service\":\"s\",\"name\":\"n\",\"kind\":\"server\",\"status\":\"ok\","
            + "\"requestId\":\"r\",\"startMs\":1,\"endMs\":2,"
            + "\"messages\":[{\"system\":\"sns\",\"operation\":\"publish\",\"destination\":\"d\",\"id\":\"m\"}],"
            + "\"links\":[{\"traceId\":\"x\",\"spanId\":\"y\"}],\"attributes\":{\"k\":1}}";
    private static final String FULL_LOG = "{\"type\":\"log\",\"tenant\":\"t\",\"function\":\"f\",\"timestampMs\":1,"
            + "\"message\":\"" + REPORT + "\"}";
    private static final String FULL_SUBSCRIPTION = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"o\",\"logGroup\":\"g\","
            + "\"logEvents\":[{\"timestamp\":1,\"message\":\"" + REPORT + "\"}]}";
    private static final Set<String> LOG_ONLY = Set.of("function", "timestampMs", "message");
    private static final Set<String> SUBSCRIPTION_ONLY = Set.of("owner", "logGroup", "logEvents");
    /** The reasons Assemble traces gives; everything else comes from the parser. */
    private static final Set<String> ASSEMBLE_TRACES_REASONS = Set.of("trace-span-cap", "too-late");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theFullRecordsAreValid() {
        assertThat(parse(FULL_SPAN).onlySpan().links()).hasSize(1);
        assertThat(parse(FULL_LOG).logs).hasSize(1);
        assertThat(parse(FULL_SUBSCRIPTION).logs).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("reasons")
    void everyReasonTheParserListsIsGivenByAnExampleOfIt(String reason) {
        assertThat(parse(example(reason)).onlyDead().reason()).isEqualTo(reason);
    }

    static Stream<String> reasons() {
        return RecordParser.REASONS.stream();
    }

    @Test
    void theReadmeTableListsExactlyTheReasonsTheJobGives() throws IOException {
        Set<String> given = new TreeSet<>(RecordParser.REASONS);
        given.addAll(CloudWatchLogsDecoder.REASONS);
        given.addAll(OtlpParser.REASONS);
        given.addAll(ASSEMBLE_TRACES_REASONS);
        assertThat(readmeReasons(Path.of("README.md"))).isEqualTo(given);
    }

    /** A line that gives {@code reason}: a full record with one field spoilt, or one made up for the reason. */
    private static byte[] example(String reason) {
        String record = span("");
        return switch (reason) {
            case "line-too-long" -> utf8(span(",\"pad\":\"" + "x".repeat(RecordParser.MAX_LINE_BYTES) + "\""));
            case "invalid-encoding" -> concat(utf8(record.substring(0, 20)), bytes(new int[] {0xC0, 0x80}));
            case "malformed-json" -> utf8("{\"type\":");
            case "too-deeply-nested" -> utf8("{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}");
            case "number-too-long" -> utf8("{\"n\":" + "1".repeat(1001) + "}");
            case "field-name-too-long" -> utf8("{\"" + "n".repeat(50_001) + "\":1}");
            case "not-a-json-object" -> utf8("[]");
            case "trailing-content" -> utf8(record + " x");
            case "missing-type" -> utf8("{}");
            case "unknown-type" -> utf8("{\"type\":\"mystery\"}");
            case "unknown-message-type" -> utf8("{\"messageType\":\"MYSTERY\"}");
            case "invalid-time" -> utf8(record.replace("1000.5", "-1"));
            case "incomplete-message" -> utf8(record.replace("}", ",\"messages\":[{\"system\":\"sns\",\"id\":\"m\"}]}"));
            case "unknown-message-operation" -> utf8(message("sns", "broadcast", "d", "m"));
            default -> utf8(spoilFor(reason));
        };
    }

    /** The field-named reasons: {@code missing-}, {@code wrong-type-}, {@code oversized-}, {@code invalid-<field>}. */
    private static String spoilFor(String reason) {
        for (String prefix : List.of("missing-", "wrong-type-", "oversized-", "invalid-")) {
            if (!reason.startsWith(prefix)) {
                continue;
            }
            String field = reason.substring(prefix.length());
            return switch (prefix) {
                case "missing-" -> spoil(field, null);
                case "wrong-type-" -> spoil(field, current(field) == null || current(field).isTextual()
                        ? IntNode.valueOf(17) : TextNode.valueOf("x"));
                case "oversized-" -> spoil(field, TextNode.valueOf("f".repeat(
                        field.equals("message.destination") ? 2 * RecordParser.MAX_ID_CHARS + 1 : RecordParser.MAX_ID_CHARS + 1)));
                default -> spoil(field, TextNode.valueOf("a\u0001b"));
            };
        }
        throw new AssertionError("no example for " + reason);
    }

    /** The full record that reads {@code field}, with the field set to {@code value} (removed for null). */
    private static String spoil(String field, JsonNode value) {
        ObjectNode record = fullRecordOf(field);
        ObjectNode holder = holderOf(record, field);
        String name = field.substring(field.indexOf('.') + 1);
        if (value == null) {
            holder.remove(name);
        } else {
            holder.set(name, value);
        }
        return record.toString();
    }

    private static JsonNode current(String field) {
        return holderOf(fullRecordOf(field), field).get(field.substring(field.indexOf('.') + 1));
    }

    private static ObjectNode fullRecordOf(String field) {
        String top = field.contains(".") ? field.substring(0, field.indexOf('.')) : field;
        String full = LOG_ONLY.contains(top) && !field.contains(".") ? FULL_LOG
                : SUBSCRIPTION_ONLY.contains(top) ? FULL_SUBSCRIPTION : FULL_SPAN;
        try {
            return (ObjectNode) JSON.readTree(full);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Nested fields are named after their list's element: {@code message.id} is in {@code messages[0]}. */
    private static ObjectNode holderOf(ObjectNode record, String field) {
        if (!field.contains(".")) {
            return record;
        }
        String list = switch (field.substring(0, field.indexOf('.'))) {
            case "message" -> "messages";
            case "link" -> "links";
            default -> "logEvents";
        };
        return (ObjectNode) record.get(list).get(0);
    }

    /** The reasons in the README's dead-letter table, a {@code <field>} row expanded by the fields it names. */
    static Set<String> readmeReasons(Path readme) throws IOException {
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        int start = lines.indexOf("### Dead-letter output");
        assertThat(start).as("the README's dead-letter section").isNotNegative();
        Set<String> reasons = new TreeSet<>();
        Pattern code = Pattern.compile("`([^`]+)`");
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("#")) {
                break;
            }
            String[] cells = line.split("\\|");
            if (!line.startsWith("| `") || cells.length < 3) {
                continue;
            }
            Matcher reason = code.matcher(cells[1]);
            assertThat(reason.find()).as(line).isTrue();
            String listed = reason.group(1);
            if (!listed.endsWith("<field>")) {
                reasons.add(listed);
                continue;
            }
            Matcher field = code.matcher(cells[2]);
            while (field.find()) {
                reasons.add(listed.replace("<field>", field.group(1)));
            }
        }
        return reasons;
    }

    private static byte[] bytes(int[] values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
