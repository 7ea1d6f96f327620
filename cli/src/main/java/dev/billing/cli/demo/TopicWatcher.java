package dev.billing.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Counts what the demo reports beside the gateway's view: cutoffs published on
 * {@code account-status} (newest version per account only) and dead letters by reason.
 */
final class TopicWatcher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String statusTopic;
    private final Map<String, JsonNode> latest = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
    private final AtomicLong cutoffs = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    TopicWatcher(String bootstrapServers, String statusTopic, String dlqTopic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", "billing-demo-watcher-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(statusTopic, dlqTopic));
        this.statusTopic = statusTopic;
        thread = new Thread(this::run, "demo-topic-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode json = parse(r.value());
                    if (json == null) {
                        continue;
                    }
                    if (r.topic().equals(statusTopic)) {
                        onStatus(json);
                    } else {
                        deadLetters.computeIfAbsent(json.path("reason").asText(), k -> new AtomicLong()).incrementAndGet();
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private void onStatus(JsonNode status) {
        String account = status.path("account_id").asText();
        JsonNode before = latest.get(account);
        if (before != null && before.path("version").asLong() >= status.path("version").asLong()) {
            return; // stale or replayed
        }
        latest.put(account, status);
        if ("BLOCKED".equals(status.path("status").asText())) {
            cutoffs.incrementAndGet();
        }
    }

    long cutoffs() {
        return cutoffs.get();
    }

    Map<String, Long> deadLettersByReason() {
        Map<String, Long> out = new java.util.TreeMap<>();
        deadLetters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(5_000);
    }
}
