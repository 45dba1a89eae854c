package io.tracestitch.jobs;

import io.tracestitch.config.RunConfig;
import io.tracestitch.model.ParsedInput;
import io.tracestitch.model.TopicRecord;
import io.tracestitch.model.TransactionRevision;
import io.tracestitch.operators.ingest.EventTimeWatermarks;
import io.tracestitch.operators.ingest.KafkaRecordParser;
import io.tracestitch.operators.ingest.KinesisRecordFunction;
import io.tracestitch.operators.output.TopicRecordSchema;
import io.tracestitch.operators.output.TopicRecordsFunction;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.connectors.kinesis.FlinkKinesisConsumer;
import org.apache.flink.streaming.connectors.kinesis.config.AWSConfigConstants;
import org.apache.flink.streaming.connectors.kinesis.config.ConsumerConfigConstants;
import org.apache.flink.streaming.connectors.kinesis.serialization.KinesisDeserializationSchema;
import org.apache.flink.streaming.connectors.kinesis.util.UniformShardAssigner;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The {@code run} job: Kafka (and Kinesis) in, stitched transactions out to a compacted Kafka topic,
 * exactly once, with dead letters on a topic of their own and, when configured, the transactions as
 * OpenTelemetry traces on another.
 */
public final class StreamingRun {

    /**
     * The producers' transaction timeout. Brokers refuse one above their
     * {@code transaction.max.timeout.ms} (15 min by default), and a transaction stays open from one
     * checkpoint until the next completes: 15 min is the most a default broker takes and far above
     * any checkpoint interval worth running. {@code kafka.properties.transaction.timeout.ms} overrides it.
     */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    public static final String JOB_NAME = "TraceStitch run";

    /** Where the embedded cluster keeps checkpoints when {@code checkpoint.dir} is not set. */
    public static final Path LOCAL_CHECKPOINTS = Path.of(System.getProperty("java.io.tmpdir"), "tracestitch-checkpoints");

    private StreamingRun() {}

    /**
     * The job's graph on the environment of its configuration, ready to execute; restored from
     * {@code savepoint} (a savepoint or retained checkpoint path) unless it is null.
     */
    public static StreamExecutionEnvironment environment(RunConfig config, String savepoint) {
        return environment(config, savepoint, new Configuration());
    }

    /** As above, over Flink settings of the caller's (the soak tool sets the embedded cluster's REST port). */
    public static StreamExecutionEnvironment environment(RunConfig config, String savepoint, Configuration base) {
        Configuration flink = new Configuration(base);
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        flink.set(PipelineOptions.OBJECT_REUSE, true);
        // Savepoints find state by operator uid: an operator without one fails the build, not an upgrade.
        flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
        if (savepoint != null) {
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        flink.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        if (config.checkpointDir() != null) {
            flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, config.checkpointDir());
        }
        flink.set(StateBackendOptions.STATE_BACKEND, config.stateBackend().text());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        if (env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty()) {
            // Without a directory checkpoints go to the JobManager's memory, which takes at most 5 MiB:
            // they fail as soon as the state grows, and without checkpoints nothing is ever committed.
            if (!(env instanceof LocalStreamEnvironment)) {
                throw new IllegalArgumentException("checkpoint.dir is not set, nor is the cluster's "
                        + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key() + ": checkpoints would go to the JobManager's "
                        + "memory (at most 5 MiB), fail, and nothing would be committed");
            }
            env.configure(new Configuration().set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, LOCAL_CHECKPOINTS.toUri().toString()));
        }
        env.enableCheckpointing(config.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (config.parallelism() != null) {
            env.setParallelism(config.parallelism());
        }
        build(env, config);
        return env;
    }

    /** Runs until the input ends (bounded) or the job is stopped. */
    public static void run(RunConfig config, String savepoint) throws Exception {
        environment(config, savepoint).execute(JOB_NAME);
    }

    /** Starts the job and returns at once: for tests and tools that stop it themselves. */
    public static JobClient start(RunConfig config, String savepoint) throws Exception {
        return environment(config, savepoint).executeAsync(JOB_NAME);
    }

    private static void build(StreamExecutionEnvironment env, RunConfig config) {
        DataStream<ParsedInput> kafka = kafkaInput(env, config);
        DataStream<ParsedInput> kinesis = kinesisInput(env, config);
        DataStream<ParsedInput> parsed = kafka == null ? kinesis : kinesis == null ? kafka : kafka.union(kinesis);
        StitchingPipeline.Outputs out = StitchingPipeline.fromParsed(parsed, config.stitch());

        // Order lines is keyed by tenant already: the same partitioning, so no shuffle and one chain to the sink.
        DataStreamUtils.reinterpretAsKeyedStream(out.transactions(), TransactionRevision::tenant, Types.STRING)
                .process(new TopicRecordsFunction(config.stitch())).uid(OperatorIds.TOPIC_RECORDS).name("Topic records")
                .sinkTo(sink(config, config.outputTopic(), config.transactionalIdPrefix()))
                .uid(OperatorIds.TRANSACTIONS_SINK).name("Write transactions");
        RunConfig.OtlpOutput otlp = config.otlpOutput();
        if (otlp != null) {
            StitchingPipeline.otlp(out.transactions(), config.stitch(), otlp.encoding())
                    .sinkTo(sink(config, otlp.topic(), config.transactionalIdPrefix() + "-otlp"))
                    .uid(OperatorIds.OTLP_SINK).name("Write OTLP");
        }
        out.deadLetters()
                .map(deadLetter -> new TopicRecord(null, deadLetter.toJson())).returns(TopicRecord.class)
                .uid(OperatorIds.DEAD_LETTER_RECORDS).name("Dead letter records")
                .sinkTo(sink(config, config.deadLetterTopic(), config.transactionalIdPrefix() + "-dead-letters"))
                .uid(OperatorIds.DEAD_LETTERS_SINK).name("Write dead letters");
    }

    /** The Kafka topics parsed in the source, with a watermark per partition; null without Kafka input. */
    private static DataStream<ParsedInput> kafkaInput(StreamExecutionEnvironment env, RunConfig config) {
        RunConfig.KafkaInput input = config.kafkaInput();
        if (input == null) {
            return null;
        }
        KafkaSourceBuilder<ParsedInput> source = KafkaSource.<ParsedInput>builder()
                .setProperties(clientProperties(config))
                .setBootstrapServers(String.join(",", config.bootstrapServers()))
                .setTopics(input.topics())
                .setGroupId(input.groupId())
                .setStartingOffsets(switch (input.start()) {
                    case EARLIEST -> OffsetsInitializer.earliest();
                    case LATEST -> OffsetsInitializer.latest();
                    case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                })
                .setDeserializer(new KafkaRecordParser(input.formatByTopic(), input.otlpTenantAttribute()));
        if (config.bounded()) {
            source.setBounded(OffsetsInitializer.latest());
        }
        WatermarkStrategy<ParsedInput> watermarks = EventTimeWatermarks.strategy(
                Duration.ofMillis(config.stitch().outOfOrdernessMs()), config.idleTimeout());
        return env.fromSource(source.build(), watermarks, "Kafka input").uid(OperatorIds.KAFKA_SOURCE);
    }

    /**
     * The Kinesis streams, null without Kinesis input: flink-connector-kinesis 4.3's
     * {@link FlinkKinesisConsumer} (a legacy {@code SourceFunction}; the newer Kinesis source for Flink
     * 1.20 does not resolve from the repositories this build uses) hands on each record's data; Parse, chained to it, makes {@link ParsedInput}s of it
     * in the configured format; event time and watermarks follow, per subtask (a subtask's shards
     * share one watermark). Credentials come from the AWS SDK's default chain.
     */
    @SuppressWarnings("deprecation") // addSource: FlinkKinesisConsumer is a SourceFunction
    static DataStream<ParsedInput> kinesisInput(StreamExecutionEnvironment env, RunConfig config) {
        RunConfig.KinesisInput input = config.kinesisInput();
        if (input == null) {
            return null;
        }
        Properties properties = new Properties();
        properties.setProperty(AWSConfigConstants.AWS_REGION, input.region());
        if (input.endpoint() != null) {
            properties.setProperty(AWSConfigConstants.AWS_ENDPOINT, input.endpoint().toString());
        }
        properties.setProperty(AWSConfigConstants.AWS_CREDENTIALS_PROVIDER, "AUTO");
        properties.setProperty(ConsumerConfigConstants.STREAM_INITIAL_POSITION, switch (input.start()) {
            case LATEST -> ConsumerConfigConstants.InitialPosition.LATEST.name();
            case TRIM_HORIZON -> ConsumerConfigConstants.InitialPosition.TRIM_HORIZON.name();
        });
        FlinkKinesisConsumer<byte[]> consumer = new FlinkKinesisConsumer<>(input.streamNames(), new RecordData(), properties);
        // Shards spread by hash key range: with no more subtasks than shards, every subtask reads one,
        // and none waits for the idle timeout before its (empty) input stops holding back event time.
        consumer.setShardAssigner(new UniformShardAssigner());
        WatermarkStrategy<ParsedInput> watermarks = EventTimeWatermarks.strategy(
                Duration.ofMillis(config.stitch().outOfOrdernessMs()), config.idleTimeout());
        return env.addSource(consumer, "Kinesis input").uid(OperatorIds.KINESIS_SOURCE)
                .process(new KinesisRecordFunction(input.format(), input.otlpTenantAttribute())).uid(OperatorIds.KINESIS_PARSE).name("Parse Kinesis records")
                .assignTimestampsAndWatermarks(watermarks).uid(OperatorIds.KINESIS_WATERMARKS).name("Kinesis watermarks");
    }

    /** A Kinesis record's data as it is; Parse reads it. */
    private static final class RecordData implements KinesisDeserializationSchema<byte[]> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] deserialize(byte[] data, String partitionKey, String sequenceNumber, long approximateArrival,
                String stream, String shardId) {
            return data;
        }

        @Override
        public TypeInformation<byte[]> getProducedType() {
            return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
        }
    }

    private static KafkaSink<TopicRecord> sink(RunConfig config, String topic, String transactionalIdPrefix) {
        Properties producer = clientProperties(config);
        producer.putIfAbsent("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
        return KafkaSink.<TopicRecord>builder()
                .setBootstrapServers(String.join(",", config.bootstrapServers()))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new TopicRecordSchema(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .build();
    }

    private static Properties clientProperties(RunConfig config) {
        Properties properties = new Properties();
        properties.putAll(config.kafkaProperties().byName());
        return properties;
    }
}
