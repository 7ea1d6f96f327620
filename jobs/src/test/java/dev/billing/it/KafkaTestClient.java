package dev.billing.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.InputProducers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Producing the test input and reading the job's topics, with plain Kafka clients. */
public final class KafkaTestClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where a message landed. */
    public record Sent(String topic, int partition, long offset) {}

    private final String bootstrap;
    private final KafkaProducer<String, byte[]> producer;

    public KafkaTestClient(String bootstrap) {
        this.bootstrap = bootstrap;
        Properties p = InputProducers.properties(bootstrap);
        p.put("linger.ms", "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Sends all messages in order and returns where the bad ones landed, with their expected reason. */
    public Map<Sent, String> send(List<TestMessage> messages) throws ExecutionException, InterruptedException {
        List<Sent> sent = sendAll(messages);
        Map<Sent, String> bad = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).expectedReason() != null) {
                bad.put(sent.get(i), messages.get(i).expectedReason());
            }
        }
        return bad;
    }

    /** Sends all messages in order and returns where each landed. */
    public List<Sent> sendAll(List<TestMessage> messages) throws ExecutionException, InterruptedException {
        for (String topic : messages.stream().map(TestMessage::topic).distinct().toList()) {
            awaitLeaders(topic);
        }
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        for (TestMessage m : messages) {
            futures.add(producer.send(new ProducerRecord<>(m.topic(), m.key(), m.value())));
        }
        producer.flush();
        List<Sent> out = new ArrayList<>();
        for (Future<RecordMetadata> f : futures) {
            RecordMetadata md = f.get();
            out.add(new Sent(md.topic(), md.partition(), md.offset()));
        }
        return out;
    }

    /** Sends one message to a chosen partition and returns where it landed. */
    public Sent sendTo(String topic, int partition, String key, byte[] value) throws ExecutionException, InterruptedException {
        RecordMetadata md = producer.send(new ProducerRecord<>(topic, partition, key, value)).get();
        return new Sent(md.topic(), md.partition(), md.offset());
    }

    /**
     * Waits until every partition of a just-created topic has a leader: an idempotent producer that
     * races the leader election can fail its batches with a sequence error.
     */
    private void awaitLeaders(String topic) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<PartitionInfo> infos = producer.partitionsFor(topic);
            if (!infos.isEmpty() && infos.stream().allMatch(p -> p.leader() != null && p.leader().id() >= 0)) {
                return;
            }
            Thread.sleep(100); // polling interval of the leader condition
        }
        throw new IllegalStateException("no leader for every partition of " + topic + " after 30 s");
    }

    /** True when the group has committed, for every non-empty partition of the topic, its end offset. */
    public boolean groupCaughtUp(String group, String topic) throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = partitions(topic).stream()
                    .collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get();
            return ends.entrySet().stream().allMatch(e -> e.getValue().offset() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue().offset()));
        }
    }

    /** Everything on the topic now (read_committed), as JSON. */
    public List<JsonNode> readAll(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "test-reader-" + UUID.randomUUID());
        p.put("isolation.level", "read_committed");
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = partitions(topic);
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> ends = consumer.endOffsets(tps);
            Predicate<TopicPartition> behind = tp -> consumer.position(tp) < ends.get(tp);
            while (tps.stream().anyMatch(behind)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(parse(r.value()));
                }
            }
        }
        return out;
    }

    private List<TopicPartition> partitions(String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> out = new ArrayList<>();
            for (PartitionInfo info : c.partitionsFor(topic)) {
                out.add(new TopicPartition(topic, info.partition()));
            }
            return out;
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
