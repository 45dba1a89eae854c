package io.tracestitch.operators.output;

import io.tracestitch.model.TopicRecord;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes {@link TopicRecord}s to one topic as they are: key, value (null: tombstone), Kafka's partitioner. */
public final class TopicRecordSchema implements KafkaRecordSerializationSchema<TopicRecord> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public TopicRecordSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(TopicRecord record, KafkaSinkContext context, Long timestamp) {
        // The element's timestamp is event time (or none): the record gets the time it is produced.
        return new ProducerRecord<>(topic, record.key(), record.value());
    }
}
