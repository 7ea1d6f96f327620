package dev.billing.gateway.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The thread that owns the Kafka consumer of a compacted topic every gateway reads whole (the
 * statuses into the {@link StatusTable}, the rate cards into the admission's prices): reads every
 * partition from the beginning, then follows it, and proves with a {@link CatchUpTracker} how
 * fresh its copy is. A handler may hold what a partition's later records could undo until the
 * partition is read to its end ({@link Handler#readTo}). It reads without a consumer group, because
 * every gateway needs every key, and it never gives up: Kafka errors are recorded, and the staleness they cause is what the
 * failure policy acts on.
 */
public final class TopicFollower implements Runnable {
    /** What a message does to the copy. */
    public enum Outcome {
        APPLIED,
        STALE,
        /** Kept aside until its partition is read to its end; its outcome comes from {@link Handler#readTo}. */
        HELD
    }

    /** Applies one message of the topic to the copy; a tombstone has a null value. */
    @FunctionalInterface
    public interface Handler {
        /** @throws IllegalArgumentException when the value is not a message of the topic (counted, skipped) */
        Outcome apply(byte[] key, byte[] value);

        /** The message at {@code offset} of {@code partition}; by default {@link #apply(byte[], byte[])}. */
        default Outcome apply(TopicPartition partition, long offset, byte[] key, byte[] value) {
            return apply(key, value);
        }

        /**
         * Every message of {@code partition} below {@code end} has been applied (or held), and {@code end}
         * was the partition's end when the broker last said: what was held for what follows it may apply
         * now. {@code released} gets the outcome of each message applied now.
         */
        default void readTo(TopicPartition partition, long end, Consumer<Outcome> released) {
        }
    }

    private static final System.Logger LOG = System.getLogger(CutoffClient.class.getName());
    private static final Duration MISSING_TOPIC_BACKOFF = Duration.ofSeconds(1);
    static final Duration FETCH_MAX_WAIT = Duration.ofMillis(100);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final CutoffClientConfig config;
    private final Handler handler;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CatchUpTracker tracker = new CatchUpTracker();
    private final CompletableFuture<Void> bootstrapped = new CompletableFuture<>();
    private final long startedAtNanos = System.nanoTime();
    private final Set<TopicPartition> assigned = new HashSet<>();
    private long lastAskNanos;
    private boolean askedOnce;
    private long nextPartitionRefreshNanos;
    private volatile boolean running = true;

    // written by the follower thread only, read by any: volatile is enough
    volatile boolean caughtUpOnce;
    volatile long confirmedAtNanos;
    volatile long bootstrapNanos = -1;
    volatile long lag;
    volatile long updatesApplied;
    volatile long staleUpdatesIgnored;
    volatile long malformedMessages;
    volatile String lastError;

    /** Follows {@code config}'s topic with {@code config}'s Kafka settings; run it on a thread of its own. */
    public TopicFollower(CutoffClientConfig config, Handler handler) {
        this.config = config;
        this.handler = handler;
        this.consumer = new KafkaConsumer<>(consumerProperties(config), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    static Properties consumerProperties(CutoffClientConfig config) {
        Properties p = new Properties();
        p.putAll(config.kafkaProperties);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "billing-cutoff-client-" + INSTANCES.incrementAndGet());
        // every gateway needs every account: no group, no committed offsets, always from the beginning
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // a typo in the topic name must not create a topic that is not compacted
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        // A broker answers one request per connection at a time, so the end offsets asked for to
        // confirm freshness wait behind a long-polling fetch: keep the long poll short (default 500 ms)
        p.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Long.toString(FETCH_MAX_WAIT.toMillis()));
        return p;
    }

    /** Completes once the whole topic has been read. */
    public CompletableFuture<Void> bootstrapped() {
        return bootstrapped;
    }

    long startedAtNanos() {
        return startedAtNanos;
    }

    /** Whether the copy was last confirmed complete longer ago than {@code maxStaleness} (or never). */
    public boolean staleFor(Duration maxStaleness) {
        return !caughtUpOnce || System.nanoTime() - confirmedAtNanos > maxStaleness.toNanos();
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke the consumer up; the loop condition ends it
                } catch (InterruptException e) {
                    // the JVM is going down, or the owner ends the thread: a normal end too
                    LOG.log(Level.DEBUG, config.topic + " follower: interrupted");
                    running = false;
                } catch (RuntimeException e) {
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.log(Level.DEBUG, config.topic + " follower: " + lastError, e);
                    idle(config.pollTimeout);
                }
            }
        } finally {
            ConsumerClosing.close(consumer, Duration.ofSeconds(1), config.topic);
        }
    }

    private void step() {
        if (assigned.isEmpty() || System.nanoTime() - nextPartitionRefreshNanos >= 0) {
            refreshPartitions();
            nextPartitionRefreshNanos = System.nanoTime() + config.partitionRefreshInterval.toNanos();
        }
        if (assigned.isEmpty()) {
            lastError = "topic " + config.topic + " does not exist (yet)";
            idle(MISSING_TOPIC_BACKOFF);
            return;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(config.pollTimeout)) {
            apply(record);
        }
        readToTheEnd();
        trackCatchUp();
    }

    /**
     * Tells the handler of each partition now read to the end the broker reported with its last
     * fetch (the high watermark, or for {@code read_committed} the last stable offset).
     */
    private void readToTheEnd() {
        for (TopicPartition tp : assigned) {
            OptionalLong behind = consumer.currentLag(tp);
            if (behind.isPresent() && behind.getAsLong() == 0) {
                handler.readTo(tp, consumer.position(tp, config.requestTimeout), this::count);
            }
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        Outcome outcome;
        try {
            outcome = handler.apply(new TopicPartition(record.topic(), record.partition()), record.offset(),
                    record.key(), record.value());
        } catch (IllegalArgumentException e) {
            malformedMessages++;
            LOG.log(malformedMessages == 1 ? Level.WARNING : Level.DEBUG, "skipping a message that is not a message of"
                    + " the topic at " + record.topic() + "-" + record.partition() + "@" + record.offset() + ": "
                    + e.getMessage());
            return;
        }
        count(outcome);
    }

    private void count(Outcome outcome) {
        if (outcome == Outcome.APPLIED) {
            updatesApplied++;
        } else if (outcome == Outcome.STALE) {
            staleUpdatesIgnored++;
        }
    }

    private void trackCatchUp() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        long fetchedLag = 0;
        for (TopicPartition tp : assigned) {
            positions.put(tp, consumer.position(tp, config.requestTimeout));
            OptionalLong partitionLag = consumer.currentLag(tp);
            fetchedLag += partitionLag.orElse(0);
        }
        if (!tracker.pending() && (!askedOnce || System.nanoTime() - lastAskNanos >= config.freshnessInterval.toNanos())) {
            long askedAt = System.nanoTime();
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, config.requestTimeout);
            askedOnce = true;
            lastAskNanos = askedAt;
            tracker.expect(ends, askedAt);
            lastError = null; // the broker answered
        }
        // the lag first, so that whoever sees the client confirmed sees its lag too
        lag = Math.max(fetchedLag, tracker.behindTarget(positions));
        if (tracker.reached(positions)) {
            confirm();
        }
    }

    private void confirm() {
        // positions reached end offsets asked for after they were: what was held below them may apply
        tracker.reachedTarget().forEach((tp, end) -> handler.readTo(tp, end, this::count));
        confirmedAtNanos = tracker.confirmedAtNanos();
        if (!caughtUpOnce) {
            bootstrapNanos = System.nanoTime() - startedAtNanos;
            caughtUpOnce = true;
            LOG.log(Level.INFO, config.topic + " bootstrapped: " + updatesApplied + " messages applied from "
                    + assigned.size() + " partitions in " + Duration.ofNanos(bootstrapNanos).toMillis() + " ms");
            bootstrapped.complete(null);
        }
    }

    /** Assigns every partition of the topic; partitions added since start are read from their beginning. */
    private void refreshPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(config.topic, config.requestTimeout);
        if (infos == null || infos.isEmpty()) {
            return;
        }
        Set<TopicPartition> all = new HashSet<>();
        for (PartitionInfo info : infos) {
            all.add(new TopicPartition(info.topic(), info.partition()));
        }
        if (assigned.containsAll(all)) {
            return;
        }
        Map<TopicPartition, Long> kept = new HashMap<>();
        for (TopicPartition tp : assigned) {
            kept.put(tp, consumer.position(tp, config.requestTimeout));
        }
        Set<TopicPartition> added = new HashSet<>(all);
        added.removeAll(assigned);
        consumer.assign(all);
        kept.forEach(consumer::seek);
        consumer.seekToBeginning(added);
        assigned.clear();
        assigned.addAll(all);
        tracker.clearTarget(); // it did not cover the new partitions
    }

    private void idle(Duration duration) {
        if (running) {
            LockSupport.parkNanos(duration.toNanos()); // close() unparks
        }
    }

    /** Makes {@link #run} return soon; the caller unparks and joins the thread. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
