package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.ConsumerClosing;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every partition of some topics, from the beginning or from a while back, then follows
 * them, in its own thread, handing each JSON object to a {@link Handler}. No consumer group: every
 * gateway replica reads everything, so each holds the same view. Only committed records
 * ({@code read_committed}): what the job's transactions committed. A missing topic is waited for
 * (the job creates its topics at its start), never created.
 */
final class TopicTail implements AutoCloseable {
    /** Gets each JSON object record, in each partition's order, on the tail's thread. */
    @FunctionalInterface
    interface Handler {
        /** @param timestamp the record's time in the topic (when the producer sent it), epoch milliseconds */
        void onRecord(String topic, ObjectNode value, long timestamp);
    }

    private static final System.Logger LOG = System.getLogger(TopicTail.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration PARTITION_REFRESH = Duration.ofSeconds(10);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<String> topics;
    private final Duration lookBack;
    private final Handler handler;
    private final Thread thread;
    private final Set<TopicPartition> assigned = new HashSet<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean running = true;
    private long nextRefreshNanos;

    /**
     * @param lookBack how far back to start reading a partition, by record time; null for its beginning
     */
    TopicTail(String bootstrapServers, Properties extra, String clientId, List<String> topics, Duration lookBack,
            Handler handler) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topics = List.copyOf(topics);
        this.lookBack = lookBack;
        this.handler = handler;
        this.thread = new Thread(this::run, clientId);
        thread.setDaemon(true);
    }

    TopicTail start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            while (running) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke it up: the loop condition ends it
                } catch (InterruptException e) {
                    // the JVM is going down, or its owner ends the thread: a normal end too
                    LOG.log(Level.DEBUG, "reading " + topics + ": interrupted");
                    running = false;
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.log(Level.WARNING, "reading " + topics + ": " + e);
                        pause();
                    }
                }
            }
        } finally {
            ConsumerClosing.close(consumer, Duration.ofSeconds(1), topics.toString());
        }
    }

    private void step() {
        if (System.nanoTime() - nextRefreshNanos >= 0) {
            refreshPartitions();
            nextRefreshNanos = System.nanoTime() + (assigned.isEmpty() ? POLL : PARTITION_REFRESH).toNanos();
        }
        if (assigned.isEmpty()) {
            pause(); // the job creates the topics at its start
            return;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
            try {
                JsonNode json = record.value() == null ? null : JSON.readTree(record.value());
                if (json instanceof ObjectNode object) {
                    handler.onRecord(record.topic(), object, record.timestamp());
                }
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "skipping a message that is not JSON at " + record.topic() + "-"
                        + record.partition() + "@" + record.offset());
            }
        }
    }

    private void refreshPartitions() {
        Set<TopicPartition> all = new HashSet<>();
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (infos != null) {
                infos.forEach(i -> all.add(new TopicPartition(i.topic(), i.partition())));
            }
        }
        if (assigned.containsAll(all)) {
            return;
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(assigned);
        all.addAll(assigned);
        // assign() keeps the positions of partitions already assigned
        consumer.assign(all);
        seekToStart(added);
        assigned.addAll(all);
    }

    private void seekToStart(Set<TopicPartition> added) {
        if (lookBack == null) {
            consumer.seekToBeginning(added);
            return;
        }
        long since = System.currentTimeMillis() - lookBack.toMillis();
        Map<TopicPartition, Long> times = new HashMap<>();
        added.forEach(tp -> times.put(tp, since));
        // the ends first: a record appended while the times are looked up is read, not skipped
        Map<TopicPartition, Long> ends = consumer.endOffsets(added, Duration.ofSeconds(5));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(times, Duration.ofSeconds(5));
        for (TopicPartition tp : added) {
            OffsetAndTimestamp at = offsets.get(tp);
            consumer.seek(tp, at != null ? at.offset() : ends.get(tp)); // else nothing that recent
        }
    }

    private void pause() {
        try {
            // backoff while a topic is missing or Kafka fails; close() ends it at once
            if (closing.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                running = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Ends the thread by waking its consumer up, not by interrupting it: an interrupt would break the consumer's close. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        closing.countDown();
        consumer.wakeup();
        thread.join(5_000);
    }
}
