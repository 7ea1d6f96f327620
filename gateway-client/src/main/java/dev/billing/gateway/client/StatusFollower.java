package dev.billing.gateway.client;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The thread that owns the Kafka consumer: reads every partition of the status topic from the
 * beginning into the {@link StatusTable}, then follows it, and proves with a {@link CatchUpTracker}
 * how fresh the table is. What would unblock an account waits in {@link HeldUnblocks} until its
 * partition is read to its end, so an account read as blocked stays blocked through a catch-up. It reads without a consumer group, because every gateway needs every
 * account, and it never gives up: Kafka errors are recorded, and the staleness they cause is what
 * the failure policy acts on.
 */
final class StatusFollower implements Runnable {
    private static final System.Logger LOG = System.getLogger(CutoffClient.class.getName());
    private static final Duration MISSING_TOPIC_BACKOFF = Duration.ofSeconds(1);
    static final Duration FETCH_MAX_WAIT = Duration.ofMillis(100);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final CutoffClientConfig config;
    private final StatusTable table;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final CatchUpTracker tracker = new CatchUpTracker();
    private final HeldUnblocks held = new HeldUnblocks();
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

    StatusFollower(CutoffClientConfig config, StatusTable table) {
        this.config = config;
        this.table = table;
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

    CompletableFuture<Void> bootstrapped() {
        return bootstrapped;
    }

    long startedAtNanos() {
        return startedAtNanos;
    }

    @Override
    public void run() {
        try {
            while (running) {
                try {
                    step();
                } catch (WakeupException e) {
                    // close() woke the consumer up; the loop condition ends it
                } catch (RuntimeException e) {
                    lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
                    LOG.log(Level.DEBUG, "account-status follower: " + lastError, e);
                    idle(config.pollTimeout);
                }
            }
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(1)));
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
        releaseCaughtUp();
        trackCatchUp();
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (record.value() == null) {
            // a tombstone: the account's status was deleted from the compacted topic
            if (record.key() != null) {
                String account = new String(record.key(), StandardCharsets.UTF_8);
                long blocking = table.blockingVersion(account);
                if (blocking >= 0) {
                    countReplaced(held.holdTombstone(tp, record.offset(), account, blocking));
                } else {
                    table.forget(account);
                }
            }
            return;
        }
        AccountStatus status;
        try {
            status = AccountStatus.fromJson(record.value());
        } catch (IllegalArgumentException e) {
            malformedMessages++;
            LOG.log(malformedMessages == 1 ? Level.WARNING : Level.DEBUG, "skipping a message that is not an account"
                    + " status at " + record.topic() + "-" + record.partition() + "@" + record.offset() + ": "
                    + e.getMessage());
            return;
        }
        if (table.unblocks(status)) {
            // the records after it in this poll, or on the broker, may block it again
            countReplaced(held.hold(tp, record.offset(), status));
            return;
        }
        count(table.apply(status));
    }

    /** A held status replaced by a later one was never applied: stale. */
    private void countReplaced(AccountStatus replaced) {
        if (replaced != null) {
            staleUpdatesIgnored++;
        }
    }

    private void count(StatusTable.Outcome outcome) {
        if (outcome == StatusTable.Outcome.APPLIED) {
            updatesApplied++;
        } else {
            staleUpdatesIgnored++;
        }
    }

    /**
     * Applies the unblocks held for partitions now read to their end: the position has reached the
     * end (the high watermark, or for {@code read_committed} the last stable offset) the broker
     * reported with the last fetch, so nothing read after an unblock blocks the account again.
     */
    private void releaseCaughtUp() {
        if (held.size() == 0) {
            return;
        }
        for (TopicPartition tp : held.partitions()) {
            OptionalLong behind = consumer.currentLag(tp);
            if (behind.isPresent() && behind.getAsLong() == 0) {
                held.release(tp, table, this::count);
            }
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
        // the end offsets reached lie beyond these unblocks: what followed them is applied
        for (TopicPartition tp : held.heldBelow(tracker.reachedTarget())) {
            held.release(tp, table, this::count);
        }
        confirmedAtNanos = tracker.confirmedAtNanos();
        if (!caughtUpOnce) {
            bootstrapNanos = System.nanoTime() - startedAtNanos;
            caughtUpOnce = true;
            LOG.log(Level.INFO, "account-status bootstrapped: " + table.size() + " accounts from " + assigned.size()
                    + " partitions of " + config.topic + " in " + Duration.ofNanos(bootstrapNanos).toMillis() + " ms");
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
    void stop() {
        running = false;
        consumer.wakeup();
    }
}
