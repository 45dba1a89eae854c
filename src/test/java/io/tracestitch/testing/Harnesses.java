package io.tracestitch.testing;

import io.tracestitch.config.RunConfig.OtlpEncoding;
import io.tracestitch.config.StitchConfig;
import io.tracestitch.model.AssemblyInput;
import io.tracestitch.model.ContentInput;
import io.tracestitch.model.HopSide;
import io.tracestitch.model.JoinKey;
import io.tracestitch.model.Keys;
import io.tracestitch.model.LogFact;
import io.tracestitch.model.PlanOutcome;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.model.RequestFact;
import io.tracestitch.model.ResolverInput;
import io.tracestitch.model.Span;
import io.tracestitch.operators.content.ContentStoreFunction;
import io.tracestitch.operators.hop.HopPairingFunction;
import io.tracestitch.operators.invocation.InvocationJoinFunction;
import io.tracestitch.operators.output.LineOrderFunction;
import io.tracestitch.operators.output.TransactionAssemblerFunction;
import io.tracestitch.operators.output.otlp.OtlpExportFunction;
import io.tracestitch.operators.resolve.TransactionResolverFunction;
import io.tracestitch.operators.trace.TraceAssemblerFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/**
 * Each keyed stage under a test harness, opened, keyed as {@code jobs/StitchingPipeline} keys it.
 *
 * <p>Built by hand rather than with {@code ProcessFunctionTestHarnesses}: that harness copies every
 * output with a serializer guessed from the first record's class, which fails on a stream of a
 * sealed interface ({@code ResolverInput}) once a second record type comes out. Here outputs go
 * through the serializer of the declared output type, as in the job, and generic types are off as
 * in every run, so a Kryo fallback in state or output fails the test.
 */
public final class Harnesses {

    private Harnesses() {}

    public static KeyedStage<Tuple2<String, String>, Span, ContentInput> traceAssembler(StitchConfig config)
            throws Exception {
        return new KeyedStage<>(oneInput(new TraceAssemblerFunction(config), TraceAssemblerFunction::keyOf,
                Keys.TYPE, TypeInformation.of(ContentInput.class)));
    }

    public static KeyedStage<JoinKey, HopSide, ResolverInput> hopPairing(StitchConfig config) throws Exception {
        return new KeyedStage<>(oneInput(new HopPairingFunction(config), HopSide::key,
                TypeInformation.of(JoinKey.class), TypeInformation.of(ResolverInput.class)));
    }

    public static KeyedCoStage<Tuple2<String, String>, LogFact, RequestFact, ContentInput> invocationJoin(
            StitchConfig config) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<Tuple2<String, String>, LogFact, RequestFact, ContentInput> harness =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new InvocationJoinFunction(config)),
                        InvocationJoinFunction::keyOf, InvocationJoinFunction::keyOf, Keys.TYPE);
        open(harness, TypeInformation.of(ContentInput.class));
        return new KeyedCoStage<>(harness);
    }

    public static KeyedStage<String, ResolverInput, AssemblyInput> resolver(StitchConfig config) throws Exception {
        return new KeyedStage<>(oneInput(new TransactionResolverFunction(config), ResolverInput::tenant,
                Types.STRING, TypeInformation.of(AssemblyInput.class)));
    }

    public static KeyedStage<Tuple2<String, String>, ContentInput, AssemblyInput> contentStore(StitchConfig config)
            throws Exception {
        return new KeyedStage<>(oneInput(new ContentStoreFunction(config), ContentInput::key, Keys.TYPE,
                TypeInformation.of(AssemblyInput.class)));
    }

    public static KeyedStage<Tuple2<String, String>, AssemblyInput, PlanOutcome> transactionAssembler(
            StitchConfig config) throws Exception {
        return new KeyedStage<>(oneInput(new TransactionAssemblerFunction(config), AssemblyInput::key, Keys.TYPE,
                TypeInformation.of(PlanOutcome.class)));
    }

    /** {@code plainBudget}: bytes of waiting lines held uncompressed (see {@link LineOrderFunction}). */
    public static KeyedStage<String, PlanOutcome, TransactionRevision> lineOrder(long plainBudget) throws Exception {
        return new KeyedStage<>(oneInput(new LineOrderFunction(plainBudget), PlanOutcome::tenant, Types.STRING,
                TypeInformation.of(TransactionRevision.class)));
    }

    public static KeyedStage<Tuple2<String, String>, TransactionRevision, TopicRecord> otlpExport(StitchConfig config,
            OtlpEncoding encoding) throws Exception {
        return new KeyedStage<>(oneInput(new OtlpExportFunction(config, encoding), OtlpExportFunction::keyOf, Keys.TYPE,
                TypeInformation.of(TopicRecord.class)));
    }

    private static <K, IN, OUT> KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> oneInput(
            KeyedProcessFunction<K, IN, OUT> function, KeySelector<IN, K> key, TypeInformation<K> keyType,
            TypeInformation<OUT> outputType) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<K, IN, OUT> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(function), key, keyType);
        open(harness, outputType);
        return harness;
    }

    private static <OUT> void open(AbstractStreamOperatorTestHarness<OUT> harness, TypeInformation<OUT> outputType)
            throws Exception {
        harness.getExecutionConfig().disableGenericTypes();
        harness.setup(outputType.createSerializer(harness.getExecutionConfig().getSerializerConfig()));
        harness.open();
    }
}
