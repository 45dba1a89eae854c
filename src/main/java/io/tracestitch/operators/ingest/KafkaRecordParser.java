package io.tracestitch.operators.ingest;

import io.tracestitch.config.RecordFormat;
import io.tracestitch.model.ParsedInput;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Parse, inside the Kafka source: each record value is one input line or one OTLP request (by its
 * topic's format), whatever its key. Parsing here rather than in an operator after the source lets
 * the source stamp every span and log fact with its event time and keep a watermark per partition.
 * A null value (a tombstone) is ignored.
 */
public final class KafkaRecordParser implements KafkaRecordDeserializationSchema<ParsedInput> {

    private static final long serialVersionUID = 1L;

    private final Map<String, RecordFormat> formatByTopic;
    private final String otlpTenantAttribute;
    private transient RecordParsing parsing;

    /** @param formatByTopic the format of every topic read */
    public KafkaRecordParser(Map<String, RecordFormat> formatByTopic, String otlpTenantAttribute) {
        this.formatByTopic = new HashMap<>(formatByTopic);
        this.otlpTenantAttribute = otlpTenantAttribute;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        parsing = new RecordParsing(context.getMetricGroup(), otlpTenantAttribute);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ParsedInput> out) {
        if (record.value() == null) {
            parsing.ignore();
            return;
        }
        parsing.parse(record.value(), formatByTopic.get(record.topic()), out);
    }

    @Override
    public TypeInformation<ParsedInput> getProducedType() {
        return TypeInformation.of(ParsedInput.class);
    }
}
