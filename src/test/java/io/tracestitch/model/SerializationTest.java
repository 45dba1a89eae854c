package io.tracestitch.model;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

import io.tracestitch.operators.ContentStore;
import io.tracestitch.operators.HopPairing;
import io.tracestitch.operators.InvocationJoin;
import io.tracestitch.operators.TraceAssembler;
import io.tracestitch.operators.TransactionAssembler;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every type that crosses operators or sits in state must get Flink's own (POJO) serializer, never Kryo:
 * the job disables generic types, so a Kryo fallback would fail at runtime.
 */
class SerializationTest {

    static Stream<Class<?>> types() {
        return Stream.of(
                Span.class,
                MessageRef.class,
                SpanLink.class,
                LogFact.class,
                PlatformLine.class,
                Invocation.class,
                DeadLetter.class,
                HopSide.class,
                RequestFact.class,
                ResolverInput.class,
                ContentInput.class,
                TransactionPlan.class,
                MemberContent.class,
                TraceDigest.class,
                TraceDigest.HopEnd.class,
                AssemblyInput.class,
                TraceNode.class,
                TraceNode.Receive.class,
                TransactionNode.class,
                TraceAssembler.TraceMeta.class,
                HopPairing.Sides.class,
                InvocationJoin.State.class,
                ContentStore.TraceContent.class,
                TransactionAssembler.Assembly.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void serializedAsPojoWithoutKryo(Class<?> type) {
        assertSerializedAsPojoWithoutKryo(type);
    }
}
