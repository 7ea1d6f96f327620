package dev.billing.gateway.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes account-status messages the way the billing job does (MessageJson), to a compacted topic. */
final class StatusTopic implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    static final int PARTITIONS = 4;

    final String name;
    private final KafkaProducer<String, byte[]> producer;

    StatusTopic(String bootstrapServers, String name) throws Exception {
        this.name = name;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(name, Optional.of(PARTITIONS), Optional.empty())
                    .configs(Map.of("cleanup.policy", "compact")))).all().get(30, TimeUnit.SECONDS);
            awaitLeaders(admin);
        }
        Properties p = InputProducers.properties(bootstrapServers);
        p.put("linger.ms", "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Waits until every partition answers for its offsets. An idempotent producer writing to a
     * partition whose leader is still starting can have a first batch refused and a later one
     * accepted, after which the first can never be appended (OutOfOrderSequenceException).
     */
    private void awaitLeaders(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(name, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20); // the polling interval of the condition
            }
        }
    }

    Future<RecordMetadata> send(String account, boolean blocked, long version) {
        return producer.send(new ProducerRecord<>(name, account, json(account, blocked, version)));
    }

    /** Sends to one partition, whatever the account's key would choose. */
    Future<RecordMetadata> sendTo(int partition, String account, boolean blocked, long version) {
        return producer.send(new ProducerRecord<>(name, partition, account, json(account, blocked, version)));
    }

    /** Sends and waits for the broker's acknowledgement, retrying while the broker comes back. */
    void sendAndWait(String account, boolean blocked, long version, Duration timeout) throws Exception {
        send(account, blocked, version).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }


    static byte[] json(String account, boolean blocked, long version) {
        ObjectNode json = JSON.createObjectNode();
        json.put("account_id", account);
        json.put("status", blocked ? "BLOCKED" : "ACTIVE");
        if (blocked) {
            json.put("reason", "BALANCE_EXHAUSTED");
            json.putArray("reasons").add("BALANCE_EXHAUSTED");
        } else {
            json.putNull("reason");
            json.putArray("reasons");
        }
        json.put("balance_usd", blocked ? "-0.000042" : "5.00");
        json.put("month_spend_usd", "1.25");
        json.put("version", version);
        json.put("as_of", Instant.now().toString());
        return toBytes(json);
    }

    private static byte[] toBytes(ObjectNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
