package io.tracestitch.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writing test input to a topic and reading a topic back as a consumer of the job's output would. */
public final class KafkaTopics {

    /** One record as read: where it was, its key and value as text (null value: a tombstone). */
    /** {@code value} as UTF-8 text, {@code bytes} as written (binary values: OTLP protobuf). */
    public record Read(int partition, long offset, String key, String value, byte[] bytes) {}

    private KafkaTopics() {}

    /**
     * As {@link #produce}, one record at a time (each acknowledged before the next is sent), so
     * that every run puts the same record at the same offset of the same partition.
     */
    public static void produceInOrder(String bootstrapServers, String topic, int partitions, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, values.get(i))).get();
            }
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not produce to " + topic, e);
        }
    }

    /** Produces the lines in the given order, line i to partition i mod partitions, without keys. */
    public static void produce(String bootstrapServers, String topic, int partitions, List<byte[]> values) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 << 20,
                ProducerConfig.LINGER_MS_CONFIG, 5), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, null, values.get(i)));
            }
            producer.flush();
        }
    }

    public static List<byte[]> utf8(List<String> lines) {
        return lines.stream().map(line -> line.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /**
     * Every committed record of the topic from its start, partition by partition in offset order, as
     * a {@code read_committed} consumer sees it (the records of open or aborted transactions are not).
     */
    public static List<Read> readCommitted(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, "read_committed");
    }

    /** Every record, also those of aborted transactions: shows that a test really aborted some. */
    public static List<Read> readUncommitted(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, "read_uncommitted");
    }

    private static List<Read> read(String bootstrapServers, String topic, String isolation) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            Map<Integer, List<Read>> byPartition = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!reachedEnd(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to " + end);
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(new Read(record.partition(),
                            record.offset(), text(record.key()), text(record.value()), record.value()));
                }
            }
            List<Read> all = new ArrayList<>();
            partitions.stream().mapToInt(TopicPartition::partition).sorted()
                    .forEach(p -> all.addAll(byPartition.getOrDefault(p, List.of())));
            return all;
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> partition : end.entrySet()) {
            if (consumer.position(partition.getKey()) < partition.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** What a compacted topic holds: the last value per key, keys whose last record is a tombstone dropped. */
    public static Map<String, String> compacted(List<Read> records) {
        Map<String, String> last = new LinkedHashMap<>();
        for (Read record : records) {
            if (record.value() == null) {
                last.remove(record.key());
            } else {
                last.put(record.key(), record.value());
            }
        }
        return last;
    }

    /**
     * What must never be in the transactions topic: a (transaction, revision) written twice, a line
     * for a key after its tombstone, a key tombstoned twice, a key that does not name the line's
     * tenant and id. Records are in partition order, which is the order that matters:
     * all records of one key are in one partition.
     */
    public static List<String> changelogViolations(List<Read> records) {
        List<String> violations = new ArrayList<>();
        Set<String> revisions = new HashSet<>();
        Set<String> tombstoned = new HashSet<>();
        for (Read record : records) {
            String where = "partition " + record.partition() + " offset " + record.offset() + " key " + record.key();
            if (record.value() == null) {
                if (!tombstoned.add(record.key())) {
                    violations.add(where + ": a second tombstone");
                }
                continue;
            }
            var line = TransactionLines.parse(record.value().getBytes(StandardCharsets.UTF_8));
            String key = line.path("tenant").asText() + "/" + line.path("transactionId").asText();
            if (!key.equals(record.key())) {
                violations.add(where + ": the line is " + key);
            }
            if (tombstoned.contains(record.key())) {
                violations.add(where + ": a line after the key's tombstone");
            }
            if (!revisions.add(key + "#" + line.path("revision").asInt())) {
                violations.add(where + ": revision " + line.path("revision").asInt() + " written twice");
            }
        }
        return violations;
    }

}
