package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.MessageRef;
import io.tracestitch.model.PlatformLine;
import io.tracestitch.model.Span;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
        Collected c = new Collected();
        new RecordParser().parse(line, c);
        return c;
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
    void linesOver1MiBAreDeadAndTruncatedInTheDeadLetter() {
        String pad = "x".repeat(RecordParser.MAX_LINE_CHARS);
        String line = span(",\"attributes\":{\"pad\":\"" + pad + "\"}");
        DeadLetter d = parse(line).onlyDead();
        assertThat(d.reason()).isEqualTo("line-too-long");
        assertThat(d.raw()).hasSize(DeadLetter.MAX_RAW_CHARS).isEqualTo(line.substring(0, DeadLetter.MAX_RAW_CHARS));

        String justUnder = span(",\"attributes\":{\"pad\":\"" + "x".repeat(RecordParser.MAX_LINE_CHARS - 400) + "\"}");
        assertThat(justUnder.length()).isLessThanOrEqualTo(RecordParser.MAX_LINE_CHARS);
        assertThat(parse(justUnder).onlySpan().traceId()).isEqualTo("t1");
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
}
