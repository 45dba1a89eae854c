package io.tracestitch.testing;

import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.Keys;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.operators.content.ContentStoreFunction;
import io.tracestitch.operators.hop.HopPairingFunction;
import io.tracestitch.operators.invocation.InvocationJoinFunction;
import io.tracestitch.operators.output.TransactionAssemblerFunction;
import io.tracestitch.operators.resolve.TransactionResolverFunction;
import io.tracestitch.operators.trace.TraceAssemblerFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

/** Each keyed stage under a test harness, opened, keyed as {@code jobs/StitchingPipeline} keys it. */
public final class Harnesses {

    private Harnesses() {}

    public static KeyedStage<Tuple2<String, String>, Span, ContentInput> traceAssembler(StitchConfig config)
            throws Exception {
        return new KeyedStage<>(ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new TraceAssemblerFunction(config), TraceAssemblerFunction::keyOf, Keys.TYPE));
    }

    public static KeyedStage<JoinKey, HopSide, ResolverInput> hopPairing(StitchConfig config) throws Exception {
        return new KeyedStage<>(ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new HopPairingFunction(config), HopSide::key, TypeInformation.of(JoinKey.class)));
    }

    public static KeyedCoStage<Tuple2<String, String>, LogFact, RequestFact, ContentInput> invocationJoin(
            StitchConfig config) throws Exception {
        return new KeyedCoStage<>(ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                new InvocationJoinFunction(config), InvocationJoinFunction::keyOf, InvocationJoinFunction::keyOf,
                Keys.TYPE));
    }

    public static KeyedStage<String, ResolverInput, AssemblyInput> resolver(StitchConfig config) throws Exception {
        return new KeyedStage<>(ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new TransactionResolverFunction(config), ResolverInput::tenant, Types.STRING));
    }

    public static KeyedStage<Tuple2<String, String>, ContentInput, AssemblyInput> contentStore(StitchConfig config)
            throws Exception {
        return new KeyedStage<>(ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ContentStoreFunction(config), ContentInput::key, Keys.TYPE));
    }

    public static KeyedStage<String, AssemblyInput, byte[]> transactionAssembler(StitchConfig config)
            throws Exception {
        return new KeyedStage<>(ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new TransactionAssemblerFunction(config), AssemblyInput::tenant, Types.STRING));
    }
}
