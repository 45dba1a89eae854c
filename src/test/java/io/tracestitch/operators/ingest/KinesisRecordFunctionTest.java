package io.tracestitch.operators.ingest;

import io.tracestitch.config.RunConfig.KinesisFormat;
import io.tracestitch.model.ParsedInput;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.junit.jupiter.api.Test;

/** Parse for Kinesis: the lines of an NDJSON record, or the subscription message of a gzip record. */
class KinesisRecordFunctionTest {

    private static final String SPAN = "{\"type\":\"span\",\"traceId\":\"t1\",\"spanId\":\"s1\",\"startMs\":1,\"endMs\":2}";
    private static final String LOG = "{\"type\":\"log\",\"timestampMs\":3,\"message\":\"END RequestId: 2fb44fd6-0000-4000-8000-000000000001\"}";
    private static final String SUBSCRIPTION = "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"1\",\"logGroup\":\"/aws/lambda/f\","
            + "\"logEvents\":[{\"id\":\"1\",\"timestamp\":4,\"message\":\"START RequestId: 2fb44fd6-0000-4000-8000-000000000001 Version: 1\"},"
            + "{\"id\":\"2\",\"timestamp\":5,\"message\":\"END RequestId: 2fb44fd6-0000-4000-8000-000000000001\"}]}";

    @Test
    void anNdjsonRecordSplitsIntoLinesAsAFileDoes() {
        assertThat(lines("a\nb\r\nc")).containsExactly("a", "b", "c");
        assertThat(lines("a\n")).containsExactly("a");
        assertThat(lines("a\r\n\r\n\nb")).containsExactly("a", "", "", "b");
        assertThat(lines("a\rb")).as("a lone CR is content").containsExactly("a\rb");
        assertThat(lines("")).containsExactly("");
        assertThat(lines("\n")).containsExactly("");
    }

    @Test
    void ndjsonRecordsHoldOneOrMoreLinesOfAnyKind() throws Exception {
        List<ParsedInput> out = process(KinesisFormat.NDJSON, utf8(SPAN), utf8(SPAN + "\r\n\n  \n" + LOG + "\n{\"type\":1}\n"),
                utf8(SUBSCRIPTION));
        assertThat(out).extracting(input -> input.getClass().getSimpleName())
                .containsExactly("SpanInput", "SpanInput", "LogInput", "Rejected", "LogInput", "LogInput");
        assertThat(((ParsedInput.Rejected) out.get(3)).deadLetter().raw()).isEqualTo("{\"type\":1}");
    }

    @Test
    void cloudWatchLogsRecordsAreDecompressedThenParsed() throws Exception {
        byte[] truncated = CloudWatchLogsDecoderTest.gzip(utf8(SUBSCRIPTION));
        truncated = java.util.Arrays.copyOf(truncated, truncated.length - 4);
        List<ParsedInput> out = process(KinesisFormat.CLOUDWATCH_LOGS, CloudWatchLogsDecoderTest.gzip(utf8(SUBSCRIPTION)),
                utf8(SUBSCRIPTION), truncated, CloudWatchLogsDecoderTest.gzip(utf8("{\"messageType\":\"CONTROL_MESSAGE\"}")),
                CloudWatchLogsDecoderTest.gzip(utf8("[]")));
        assertThat(out).extracting(input -> input instanceof ParsedInput.Rejected rejected
                        ? rejected.deadLetter().reason() : input.getClass().getSimpleName())
                .containsExactly("LogInput", "LogInput", "not-gzip", "truncated-gzip", "not-a-json-object");
        assertThat(((ParsedInput.Rejected) out.get(4)).deadLetter().raw()).as("decompressed, it is text").isEqualTo("[]");
    }

    private static List<ParsedInput> process(KinesisFormat format, byte[]... records) throws Exception {
        try (OneInputStreamOperatorTestHarness<byte[], ParsedInput> harness =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new KinesisRecordFunction(format, "cloud.account.id")))) {
            // The sealed interface's serializer: the harness would otherwise guess one from the first output.
            harness.setup(TypeInformation.of(ParsedInput.class).createSerializer(new SerializerConfigImpl()));
            harness.open();
            for (byte[] record : records) {
                harness.processElement(record, 0);
            }
            return harness.extractOutputValues();
        }
    }

    private static List<String> lines(String record) {
        List<String> lines = new ArrayList<>();
        KinesisRecordFunction.lines(utf8(record), line -> lines.add(new String(line, StandardCharsets.UTF_8)));
        return lines;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
