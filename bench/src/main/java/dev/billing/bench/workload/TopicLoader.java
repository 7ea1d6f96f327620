package dev.billing.bench.workload;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Writes a topic full of records as fast as the broker takes them, reporting the rate as it goes. */
public final class TopicLoader implements AutoCloseable {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

    private final KafkaProducer<byte[], byte[]> producer;

    public TopicLoader(String bootstrapServers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("acks", "all");
        // bulk loading: big batches, no hurry
        p.put("linger.ms", "20");
        p.put("batch.size", Integer.toString(512 * 1024));
        p.put("buffer.memory", Long.toString(128L * 1024 * 1024));
        p.put("max.in.flight.requests.per.connection", "5");
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * Sends {@code count} records made by {@code record} (given the sequence number) and waits
     * until all are acknowledged.
     *
     * @return records per second
     */
    public double load(String what, long count, LongFunction<ProducerRecord<byte[], byte[]>> record,
            Consumer<String> progress) {
        AtomicLong acked = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        long nextReport = start + PROGRESS_EVERY.toNanos();
        for (long i = 0; i < count; i++) {
            producer.send(record.apply(i), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    acked.incrementAndGet();
                }
            });
            if ((i & 1023) == 0 && System.nanoTime() > nextReport) {
                if (failure.get() != null) {
                    break;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.accept(String.format("  loading %s: %,d / %,d (%,.0f records/s)", what, i, count, i / seconds));
                nextReport += PROGRESS_EVERY.toNanos();
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("Kafka refused a record while loading " + what + ": "
                    + failure.get().getMessage() + ". Is there enough disk for the broker's log (see --work-dir)?",
                    failure.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return acked.get() / seconds;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
