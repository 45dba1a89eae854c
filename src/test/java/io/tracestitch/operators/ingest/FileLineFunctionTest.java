package io.tracestitch.operators.ingest;

import io.tracestitch.model.DeadLetter;
import io.tracestitch.operators.DeadLetters;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class FileLineFunctionTest {

    private static final DeadLetter TOO_LONG = RecordParser.lineTooLong(2_000_000, new byte[] {'x'}, 1);

    @Test
    void aLineTheFormatCouldNotReadIsADeadLetterAndTheNextLineStillGoesToParse() throws Exception {
        byte[] record = "{}".getBytes(StandardCharsets.UTF_8);
        try (OneInputStreamOperatorTestHarness<FileLine, byte[]> harness =
                ProcessFunctionTestHarnesses.forProcessFunction(new FileLineFunction())) {
            harness.processElement(FileLine.unreadable(TOO_LONG), 0);
            harness.processElement(FileLine.of(record), 0);

            assertThat(harness.extractOutputValues()).containsExactly(record);
            assertThat(harness.getSideOutput(DeadLetters.TAG)).extracting(StreamRecord::getValue).containsExactly(TOO_LONG);
            ProcessOperator<?, ?> operator = (ProcessOperator<?, ?>) harness.getOperator();
            assertThat(operator.getRuntimeContext().getAccumulator("deadLetters").getLocalValue()).isEqualTo(1L);
        }
    }

    @Test
    void bothShapesOfALineSurviveTheirSerializer() throws Exception {
        TypeSerializer<FileLine> serializer = TypeInformation.of(FileLine.class).createSerializer(new ExecutionConfig());
        for (FileLine line : new FileLine[] {FileLine.of(new byte[] {'{', '}'}), FileLine.unreadable(TOO_LONG)}) {
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(line, out);
            FileLine copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(copy.utf8()).isEqualTo(line.utf8());
            assertThat(copy.unreadable()).isEqualTo(line.unreadable());
        }
    }
}
