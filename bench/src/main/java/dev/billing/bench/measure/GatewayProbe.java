package dev.billing.bench.measure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads {@code account-status} the way an API gateway does, and times each expected cutoff: from
 * the CreateTime of the usage record that took the account's balance to zero to the moment its
 * BLOCKED status is in this consumer's hands.
 */
public final class GatewayProbe implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    /** account -> CreateTime (ms) of the record that crosses zero. */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    private final Histogram latencyMs = new Histogram(3_600_000L, 3);
    /** (sent, received) of every timed cutoff, to line the slow ones up with checkpoints. */
    private final List<long[]> timings = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long unexpectedBlocks;

    public GatewayProbe(String bootstrapServers, String statusTopic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(statusTopic, Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the seek now: only statuses from here on count
        thread = new Thread(this::run, "bench-gateway-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** Registers a cutoff to time; call before the crossing record is sent. */
    public void expect(String account, long createTimeMs) {
        pending.put(account, createTimeMs);
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    long received = System.currentTimeMillis();
                    JsonNode status = parse(r.value());
                    if (status == null || !"BLOCKED".equals(status.path("status").asText())) {
                        continue;
                    }
                    Long sent = pending.remove(status.path("account_id").asText());
                    if (sent != null) {
                        synchronized (latencyMs) {
                            latencyMs.recordValue(Math.max(0, received - sent));
                            timings.add(new long[] {sent, received});
                        }
                    } else {
                        unexpectedBlocks++;
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** Waits until every expected cutoff was seen, or the time is up; returns how many are missing. */
    public int awaitAll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling interval of a wait measured in seconds
        }
        return pending.size();
    }

    public Histogram latencies() {
        synchronized (latencyMs) {
            return latencyMs.copy();
        }
    }

    /** (sent, received) epoch millis of every cutoff seen. */
    public List<long[]> timings() {
        synchronized (latencyMs) {
            return List.copyOf(timings);
        }
    }

    public long unexpectedBlocks() {
        return unexpectedBlocks;
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
