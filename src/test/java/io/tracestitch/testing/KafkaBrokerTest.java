package io.tracestitch.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void closeKillsTheBrokerAndDeletesItsDirectory() {
        List<ProcessHandle> tree = broker.processTree();
        Path directory = broker.directory();
        assertThat(tree).as("the broker's processes").isNotEmpty();
        broker.close();
        assertThat(tree).noneMatch(ProcessHandle::isAlive);
        assertThat(directory).doesNotExist();
    }

    @Test
    void bindsToTheLoopbackAddress() {
        assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void committedTransactionIsReadByAReadCommittedConsumer() {
        broker.createTopic("committed", 2);
        List<String> sent = List.of("a", "b", "c", "d", "e", "f");
        try (KafkaProducer<String, String> producer = transactionalProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String value : sent) {
                producer.send(new ProducerRecord<>("committed", value, value));
            }
            producer.commitTransaction();
        }

        assertThat(readAll("committed", 2, "read_committed")).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void abortedTransactionIsInvisibleToReadCommittedAndVisibleToReadUncommitted() {
        broker.createTopic("aborted", 1);
        try (KafkaProducer<String, String> producer = transactionalProducer()) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("aborted", "aborted-1"));
            producer.send(new ProducerRecord<>("aborted", "aborted-2"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("aborted", "committed-1"));
            producer.commitTransaction();
        }

        assertThat(readAll("aborted", 1, "read_committed")).containsExactly("committed-1");
        assertThat(readAll("aborted", 1, "read_uncommitted")).containsExactly("aborted-1", "aborted-2", "committed-1");
    }

    private static KafkaProducer<String, String> transactionalProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "test-" + UUID.randomUUID(),
                // at most the broker's transaction.max.timeout.ms (15 min)
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000),
                new StringSerializer(), new StringSerializer());
    }

    /**
     * Every value the isolation level lets through, read from the start of each partition up to its
     * end offset: the last stable offset for read_committed, the high watermark for read_uncommitted.
     */
    private static List<String> readAll(String topic, int partitions, String isolationLevel) {
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(topic, p));
        }
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (assigned.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("read %s up to %s within 30 s", topic, ends).isLessThan(deadline);
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
