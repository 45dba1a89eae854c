package io.tracestitch.model;

import io.tracestitch.operators.content.TraceContent;
import io.tracestitch.operators.hop.HopSides;
import io.tracestitch.operators.invocation.InvocationState;
import io.tracestitch.operators.output.HeldOutcome;
import io.tracestitch.operators.output.otlp.EmittedSpans;
import io.tracestitch.operators.output.PendingPlan;
import io.tracestitch.operators.output.TransactionProgress;
import io.tracestitch.operators.resolve.TenantCounters;
import io.tracestitch.operators.resolve.TraceNode;
import io.tracestitch.operators.resolve.TransactionNode;
import io.tracestitch.operators.trace.SpanIdSet;
import io.tracestitch.operators.trace.TraceDigests;
import io.tracestitch.operators.trace.TraceMeta;

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
                TenantCounters.class,
                TraceMeta.class,
                SpanIdSet.class,
                HopSides.class,
                InvocationState.class,
                TraceContent.class,
                PendingPlan.class,
                TransactionProgress.class,
                HeldOutcome.class,
                EmittedSpans.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateTypes")
    void stateTypesAreSerializedAsPojoWithoutKryo(Class<?> type) {
        assertSerializedAsPojoWithoutKryo(type);
    }

    static final Span SPAN = new Span("111111111111", "t1", "s1", null, "payments", "payments invoke", "consumer",
            1732400000653.6, 1732400000744.9, false, "req-1",
            new MessageRef[] {MessageRef.of("111111111111", "kinesis", false,
                    "arn:aws:kinesis:us-east-1:111111111111:stream/pay", "shardId-000000000000:17")},
            new SpanLink[] {new SpanLink("t0", "s0")}, "{\"k\":1}");
    static final LogFact LOG_FACT = new LogFact("111111111111", "payments", 1732400000745L, new PlatformLine("req-1",
            PlatformLine.Kind.REPORT, 91.36, 92, 512, 78, Double.NaN, Double.NaN, "timeout", null));
    private static final Invocation INVOCATION = Invocation.of("req-1", "payments");
    private static final TraceDigest DIGEST = TraceDigests.of("t1", new Span[] {SPAN});

    private static final JoinKey KEY = JoinKey.of("111111111111", "kinesis", "pay", "shardId-000000000000:17");

    /** One value of every record that travels between stages, with the type its stream declares. */
    static Stream<Arguments> travellingRecords() {
        return Stream.of(
                Arguments.of(Span.class, SPAN),
                Arguments.of(LogFact.class, LOG_FACT),
                Arguments.of(DeadLetter.class, DeadLetter.of("malformed-json", "{")),
                Arguments.of(JoinKey.class, KEY),
                Arguments.of(HopSide.class, new HopSide(KEY, "t1", true)),
                Arguments.of(RequestFact.class, new RequestFact("111111111111", "req-1", "t1", "payments")),
                Arguments.of(ResolverInput.class,
                        new ResolverInput.TraceClosed("111111111111", "t1", 5, new String[] {"t0"})),
                Arguments.of(ResolverInput.class,
                        new ResolverInput.ProducersFound("111111111111", "t1", KEY, new String[] {"t0", "t2"})),
                Arguments.of(ResolverInput.class, new ResolverInput.KeyCapped("111111111111", "t1", KEY)),
                Arguments.of(ResolverInput.class, new ResolverInput.ContentChanged("111111111111", "t1")),
                Arguments.of(ContentInput.class, new ContentInput.ClosedSpans("111111111111", DIGEST)),
                Arguments.of(TraceGraph.class, TraceDigests.graph(DIGEST)),
                Arguments.of(ContentInput.class, new ContentInput.InvocationUpdate("111111111111", "t1", INVOCATION)),
                Arguments.of(ContentInput.class, new ContentInput.ContentRequest("111111111111", "t1", "tx-t1", 3, 77)),
                Arguments.of(AssemblyInput.class, new TransactionPlan("111111111111", 4, "tx-t1", 2, new String[] {"t1"},
                        new String[] {"tx-t2"}, new String[0], new JoinKey[] {KEY}, new String[] {"t9"},
                        new JoinKey[0])),
                Arguments.of(AssemblyInput.class, new MemberContent("111111111111", 4, "tx-t1", "t1", DIGEST,
                        new Invocation[] {INVOCATION})),
                Arguments.of(PlanOutcome.class, new PlanOutcome.Written(4, new TransactionRevision("111111111111", "tx-t1",
                        2, new String[] {"tx-t2"}, new byte[] {'{', '}'}))),
                Arguments.of(TransactionRevision.class, new TransactionRevision("111111111111", "tx-t1", 1,
                        new String[0], new byte[] {'{', '}'})),
                Arguments.of(PlanOutcome.class, new PlanOutcome.Skipped("111111111111", 3)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("travellingRecords")
    @SuppressWarnings({"unchecked", "deprecation"})
    <T> void travellingRecordsRoundTripWithoutKryo(Class<T> declared, T value) throws Exception {
        TypeInformation<T> info = TypeInformation.of(declared);
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
        assertThat(copy.getClass()).isEqualTo(value.getClass());
        assertThat(copy.toString().replaceAll("@[0-9a-f]+", ""))
                .isEqualTo(value.toString().replaceAll("@[0-9a-f]+", ""));
    }

    @Test
    void joinKeysHashTheSameInEveryJvm() {
        // Pair hops is keyed by join key: its hash must not depend on the JVM (a record's generated one may).
        assertThat(JoinKey.of("t", "sqs", "q", "m1").hashCode())
                .isEqualTo(((("t".hashCode() * 31 + "sqs".hashCode()) * 31 + "".hashCode()) * 31) + "m1".hashCode());
        assertThat(JoinKey.of("t", "sqs", "queue-a", "m1")).as("only Kinesis keys hold the stream")
                .isEqualTo(JoinKey.of("t", "sqs", "queue-b", "m1"));
        assertThat(JoinKey.of("t", "kinesis", "a", "s:1")).isNotEqualTo(JoinKey.of("t", "kinesis", "b", "s:1"));
    }

    @Test
    void spanJoinKeysAreDerivedAgainAfterTheTrip() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        SpanSerializer.INSTANCE.serialize(SPAN, out);
        Span copy = SpanSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(copy.messages()[0]).isEqualTo(SPAN.messages()[0]);
        assertThat(copy.messages()[0].joinKey()).isEqualTo(KEY);
    }
}
