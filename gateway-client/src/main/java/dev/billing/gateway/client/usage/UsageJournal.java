package dev.billing.gateway.client.usage;

import dev.billing.gateway.client.InputProducers;
import dev.billing.gateway.client.UsagePosition;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Served means billed: a gateway writes each request's usage record here before it completes the
 * response, and the journal delivers it to {@code usage-records}. {@link #append} returns once
 * the record is on the local disk (forced), so neither a broker outage longer than any delivery
 * timeout nor a {@code kill -9} of the gateway loses it: a sender thread delivers records with an
 * idempotent, acknowledged-by-all producer and tries again after any failure, and records not
 * delivered when the process ends are delivered after it starts again. A record delivered twice
 * (its delivery note lost in a crash) is billed once by the job, by its request id.
 *
 * <p>The journal is bounded: with {@code maxUndelivered} records waiting (a long broker outage),
 * {@link #accepting()} is false and {@link #append} refuses, so the gateway answers 503 before
 * serving instead of serving what it could not bill.
 */
public final class UsageJournal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UsageJournal.class.getName());
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** A usage record to deliver: the request, the account (the message key), its cost held against the balance, its JSON. */
    public record Entry(String requestId, String accountId, BigDecimal costUsd, byte[] value) {}

    /** A record the broker has, and where. */
    public record Delivery(Entry entry, UsagePosition position) {}

    /**
     * Told of the records the broker has, in the order they were acknowledged, on a thread of the
     * journal's own (it may block): all that arrived while it handled the last batch, at once.
     */
    @FunctionalInterface
    public interface DeliveryListener {
        void delivered(List<Delivery> deliveries);
    }

    private final JournalSegments segments;
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final int maxUndelivered;
    private final DeliveryListener listener;
    private final Map<String, Entry> undeliveredAtOpen = new LinkedHashMap<>();
    /** Records to send, due now or after a failed attempt; only the sender thread sends. */
    private final DelayQueue<Retry> toSend = new DelayQueue<>();
    private final LinkedBlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final Thread notifier;
    private final Thread sender;
    private final AtomicLong deliveredCount = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    /** Whether {@link #append} takes records; false once closing. */
    private volatile boolean accepting = true;
    /** Whether the sender sends; false once closed. */
    private volatile boolean running = true;
    private volatile long lastFailureNanos = System.nanoTime() - 1;
    private volatile String lastError;

    private UsageJournal(JournalSegments segments, KafkaProducer<String, byte[]> producer, String topic,
            int maxUndelivered, DeliveryListener listener) {
        this.segments = segments;
        this.producer = producer;
        this.topic = topic;
        this.maxUndelivered = maxUndelivered;
        this.listener = listener;
        this.notifier = daemon(this::notifyLoop, "usage-journal-delivered");
        this.sender = daemon(this::sendLoop, "usage-journal-sender");
    }

    /**
     * Opens the journal in {@code dir} (made when missing). Records a previous process left
     * undelivered are in {@link #undeliveredAtOpen()} and go out once {@link #start()} is called.
     *
     * @param kafka extra producer settings (TLS, SASL, timeouts); acks, idempotence and one request in flight always hold
     */
    public static UsageJournal open(Path dir, String bootstrapServers, String topic, Properties kafka, int maxUndelivered,
            DeliveryListener listener) throws IOException {
        List<JournalSegments.Line> pending = new ArrayList<>();
        JournalSegments segments = JournalSegments.open(dir, 10_000, pending);
        Properties p = InputProducers.properties(bootstrapServers, kafka);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "billing-gateway-usage");
        // only the sender waits for metadata: a request never does
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        UsageJournal journal = new UsageJournal(segments, producer, topic, maxUndelivered, listener);
        for (JournalSegments.Line line : pending) {
            journal.undeliveredAtOpen.put(line.requestId(),
                    new Entry(line.requestId(), line.accountId(), line.costUsd(), line.value()));
        }
        return journal;
    }

    /** The records a previous process wrote and did not deliver, by request id. */
    public Map<String, Entry> undeliveredAtOpen() {
        return undeliveredAtOpen;
    }

    /** Starts delivering, the records left by a previous process first. */
    public void start() {
        undeliveredAtOpen.values().forEach(e -> sendIn(e, 0));
        notifier.start();
        sender.start();
    }

    /** Whether {@link #append} takes a record now; false while {@code maxUndelivered} records wait. */
    public boolean accepting() {
        return accepting && undelivered() < maxUndelivered;
    }

    /**
     * Writes the record to the disk, then hands it to the sender. When this returns the record will
     * be delivered, whatever happens to this process or the broker.
     *
     * @throws UsageNotDurable when the journal is full or the disk refused the write
     */
    public void append(Entry entry) throws UsageNotDurable {
        synchronized (segments) {
            if (!accepting()) {
                throw new UsageNotDurable(undelivered() + " usage records wait for the broker (the most this gateway"
                        + " holds); last error: " + lastError, null);
            }
            try {
                segments.append(new JournalSegments.Line(entry.requestId(), entry.accountId(), entry.costUsd(),
                        entry.value()));
            } catch (IOException e) {
                throw new UsageNotDurable("the usage journal could not write to the disk: " + e.getMessage(), e);
            }
        }
        sendIn(entry, 0);
    }

    private void sendIn(Entry entry, long delayNanos) {
        toSend.put(new Retry(entry, System.nanoTime() + delayNanos));
    }

    /** On the sender thread: a send waits for the broker's metadata (up to max.block.ms), never a request. */
    private void send(Entry entry) {
        try {
            producer.send(new ProducerRecord<>(topic, entry.accountId(), entry.value()), (metadata, error) -> {
                if (error == null) {
                    onDelivered(entry, new UsagePosition(metadata.partition(), metadata.offset()));
                } else {
                    retryLater(entry, error);
                }
            });
        } catch (RuntimeException e) {
            // no metadata within max.block.ms (the broker is down), or the producer is closing
            retryLater(entry, e);
        }
    }

    private void onDelivered(Entry entry, UsagePosition position) {
        synchronized (segments) {
            try {
                segments.delivered(entry.requestId());
            } catch (IOException e) {
                // the record goes again after a restart; the job bills its request id once
                LOG.log(Level.WARNING, "could not note the delivery of " + entry.requestId() + ": " + e.getMessage());
            }
        }
        deliveredCount.incrementAndGet();
        deliveries.add(new Delivery(entry, position));
    }

    private void notifyLoop() {
        List<Delivery> batch = new ArrayList<>();
        while (running || !deliveries.isEmpty()) {
            try {
                Delivery first = deliveries.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                deliveries.drainTo(batch);
                listener.delivered(List.copyOf(batch));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "delivery listener failed for " + batch.size() + " records: " + e.getMessage(), e);
            } finally {
                batch.clear();
            }
        }
    }

    private void retryLater(Entry entry, Exception error) {
        failedAttempts.incrementAndGet();
        lastFailureNanos = System.nanoTime();
        lastError = error.getClass().getSimpleName() + ": " + error.getMessage();
        LOG.log(Level.WARNING, "usage record " + entry.requestId() + " of " + entry.accountId() + " not delivered yet ("
                + lastError + "); it stays in the journal and goes again in " + RETRY_AFTER.toMillis() + " ms");
        if (running) {
            sendIn(entry, RETRY_AFTER.toNanos());
        }
    }

    private void sendLoop() {
        while (running) {
            try {
                Retry r = toSend.poll(200, TimeUnit.MILLISECONDS);
                if (r != null) {
                    send(r.entry);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records written and not delivered yet. */
    public int undelivered() {
        synchronized (segments) {
            return segments.undelivered();
        }
    }

    public long delivered() {
        return deliveredCount.get();
    }

    /** Delivery attempts that failed and were scheduled again. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** The last delivery error, or null when none. */
    public String lastError() {
        return lastError;
    }

    /**
     * Stops taking records, waits up to {@code drain} for the undelivered ones to go out, then
     * stops; what is left is delivered after the next start.
     */
    public void close(Duration drain) throws InterruptedException {
        accepting = false;
        long closing = System.nanoTime();
        long deadline = closing + drain.toNanos();
        // until all is out, the time is up, or a send fails (the broker is away: the rest waits for the next start)
        while (undelivered() > 0 && System.nanoTime() < deadline && lastFailureNanos - closing < 0) {
            Thread.sleep(20);
        }
        running = false;
        sender.interrupt();
        sender.join(1_000);
        producer.close(Duration.ofSeconds(1));
        notifier.join(5_000);
        synchronized (segments) {
            segments.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(30));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static final class Retry implements Delayed {
        final Entry entry;
        final long dueNanos;

        Retry(Entry entry, long dueNanos) {
            this.entry = entry;
            this.dueNanos = dueNanos;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(dueNanos, ((Retry) other).dueNanos);
        }
    }
}
