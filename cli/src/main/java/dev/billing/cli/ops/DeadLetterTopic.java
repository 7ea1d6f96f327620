package dev.billing.cli.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the dead-letter topic as it is now (committed dead letters only, up to the ends it has
 * when reading starts), one poll at a time: memory stays bounded however large the topic is.
 */
final class DeadLetterTopic {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API_TIMEOUT = "default.api.timeout.ms";
    private static final String DEFAULT_API_TIMEOUT_MS = "30000";

    private DeadLetterTopic() {}

    /**
     * Hands each dead letter to {@code action} as it is read, in offset order within a partition,
     * until the topic's current end or until {@code action} returns false.
     */
    static void read(String bootstrapServers, String topic, Map<String, String> clientProperties,
            Predicate<JsonNode> action) {
        Properties p = new Properties();
        p.put(API_TIMEOUT, DEFAULT_API_TIMEOUT_MS); // --kafka-property may change it
        p.putAll(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", "billing-dlq-tool-" + UUID.randomUUID());
        p.put("enable.auto.commit", "false");
        p.put("isolation.level", "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("No topic '" + topic + "' on " + bootstrapServers + ". Check --dlq-topic and --bootstrap-servers.");
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition())) && !action.test(parse(r))) {
                        return;
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within "
                    + p.getProperty(API_TIMEOUT) + " ms: check --bootstrap-servers, that the brokers are up, and the"
                    + " --kafka-property settings for TLS or SASL.", e);
        }
    }

    private static JsonNode parse(ConsumerRecord<byte[], byte[]> r) {
        try {
            return JSON.readTree(r.value());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The record at offset " + r.offset() + " of " + r.topic() + "-" + r.partition()
                    + " is not a dead letter (not JSON): is --dlq-topic the job's dead-letter topic?", e);
        }
    }
}
