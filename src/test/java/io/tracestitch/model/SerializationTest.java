package io.tracestitch.model;

import io.tracestitch.operators.content.ContentStoreFunction;
import io.tracestitch.operators.hop.HopPairingFunction;
import io.tracestitch.operators.invocation.InvocationJoinFunction;
import io.tracestitch.operators.output.TransactionAssemblerFunction;
import io.tracestitch.operators.resolve.TraceNode;
import io.tracestitch.operators.resolve.TransactionNode;
import io.tracestitch.operators.trace.TraceAssemblerFunction;
import io.tracestitch.operators.trace.TraceDigests;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type that crosses operators or sits in state gets a serializer of Flink's or ours, never
 * Kryo: the job disables generic types, so a Kryo fallback would fail at runtime. Records that
 * travel between stages use our compact serializers; they must round-trip exactly.
 */
class SerializationTest {

    /** Mutable state holders: Flink's POJO serializer. */
    static Stream<Class<?>> stateTypes() {
        return Stream.of(
                TraceNode.class,
                TraceNode.Receive.class,
                TransactionNode.class,
                TraceAssemblerFunction.TraceMeta.class,
                HopPairingFunction.Sides.class,
                InvocationJoinFunction.State.class,
                ContentStoreFunction.TraceContent.class,
                TransactionAssemblerFunction.Assembly.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateTypes")
    void stateTypesAreSerializedAsPojoWithoutKryo(Class<?> type) {
        assertSerializedAsPojoWithoutKryo(type);
    }

    private static final Span SPAN = new Span("111111111111", "t1", "s1", null, "payments", "payments invoke", "consumer",
            1732400000653.6, 1732400000744.9, false, "req-1",
            new MessageRef[] {MessageRef.of("111111111111", "kinesis", false,
                    "arn:aws:kinesis:us-east-1:111111111111:stream/pay", "shardId-000000000000:17")},
            new SpanLink[] {new SpanLink("t0", "s0")}, "{\"k\":1}");
    private static final Invocation INVOCATION = Invocation.of("req-1", "payments");
    private static final TraceDigest DIGEST = TraceDigests.of("t1", new Span[] {SPAN});

    /** One value of every record that travels between stages, nested ones and nulls included. */
    static Stream<Arguments> travellingRecords() {
        return Stream.of(
                Arguments.of(SPAN),
                Arguments.of(new LogFact("111111111111", "payments", 1732400000745L, new PlatformLine("req-1",
                        PlatformLine.Kind.REPORT, 91.36, 92, 512, 78, Double.NaN, Double.NaN, "timeout", null))),
                Arguments.of(DeadLetter.of("malformed-json", "{")),
                Arguments.of(new HopSide("k", "111111111111", "t1", true)),
                Arguments.of(new RequestFact("111111111111", "req-1", "t1", "payments")),
                Arguments.of(ResolverInput.trace("111111111111", "t1", 5, new String[] {"t0"})),
                Arguments.of(ResolverInput.hop("111111111111", "t1", "k", new String[] {"t0", "t2"})),
                Arguments.of(ContentInput.spans("111111111111", DIGEST)),
                Arguments.of(ContentInput.invocation("111111111111", "t1", INVOCATION)),
                Arguments.of(ContentInput.request("111111111111", "t1", "tx-t1", 3, 77)),
                Arguments.of(new AssemblyInput(new TransactionPlan("111111111111", "tx-t1", 2, new String[] {"t1"},
                        new String[] {"tx-t2"}, new String[0], new String[] {"k"}), null)),
                Arguments.of(new AssemblyInput(null, new MemberContent("111111111111", "tx-t1", 2, DIGEST,
                        new Invocation[] {INVOCATION}))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("travellingRecords")
    @SuppressWarnings({"unchecked", "deprecation"})
    <T> void travellingRecordsRoundTripWithoutKryo(T value) throws Exception {
        TypeInformation<T> info = (TypeInformation<T>) TypeInformation.of(value.getClass());
        assertThat(info).isInstanceOf(RecordSerializer.Info.class);
        ExecutionConfig config = new ExecutionConfig();
        config.disableGenericTypes();
        TypeSerializer<T> serializer = info.createSerializer(config);

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(value, out);
        T copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        // Records holding arrays compare by identity: compare what they serialize to instead.
        DataOutputSerializer again = new DataOutputSerializer(256);
        serializer.serialize(copy, again);
        assertThat(again.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        assertThat(copy.toString().replaceAll("@[0-9a-f]+", ""))
                .isEqualTo(value.toString().replaceAll("@[0-9a-f]+", ""));
    }

    @Test
    void spanJoinKeysAreDerivedAgainAfterTheTrip() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        SpanSerializer.INSTANCE.serialize(SPAN, out);
        Span copy = SpanSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(copy.messages()[0]).isEqualTo(SPAN.messages()[0]);
        assertThat(copy.messages()[0].joinKey()).contains("pay").contains("shardId-000000000000:17");
    }
}
