package dev.billing.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's {@code billing-alerts} topic from the beginning into {@link RecentAlerts}, then
 * follows it, in its own thread. No consumer group: every gateway keeps every account's recent
 * alerts. Only committed alerts ({@code read_committed}): the job writes them exactly once.
 */
final class AlertsFollower implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertsFollower.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(10);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final RecentAlerts alerts;
    private final Thread thread;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private volatile boolean running = true;
    private long nextRefreshNanos;

    AlertsFollower(String bootstrapServers, String topic, Properties extra, RecentAlerts alerts) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "billing-api-alerts");
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.alerts = alerts;
        this.thread = new Thread(this::run, "billing-alerts-follower");
        thread.setDaemon(true);
    }

    AlertsFollower start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke it up
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "reading " + topic + ": " + e);
                    pause();
                }
            }
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    private void step() {
        if (System.nanoTime() - nextRefreshNanos >= 0) {
            refreshPartitions();
            nextRefreshNanos = System.nanoTime() + (assigned.isEmpty() ? POLL : PARTITION_REFRESH).toNanos();
        }
        if (assigned.isEmpty()) {
            pause(); // the job creates the topic at its start
            return;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            try {
                JsonNode alert = JSON.readTree(record.value());
                if (alert instanceof ObjectNode object) {
                    alerts.add(object);
                }
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "skipping a message that is not an alert at " + record.topic() + "-"
                        + record.partition() + "@" + record.offset());
            }
        }
    }

    private void refreshPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) {
            return;
        }
        Set<TopicPartition> all = new HashSet<>();
        infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
        if (assigned.containsAll(all)) {
            return;
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(assigned);
        // assign() keeps the positions of partitions already assigned; new ones start at the beginning
        consumer.assign(all);
        consumer.seekToBeginning(added);
        assigned.addAll(all);
    }

    private void pause() {
        try {
            Thread.sleep(POLL.toMillis()); // backoff while the topic is missing or Kafka fails
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.interrupt();
        thread.join(5_000);
    }
}
