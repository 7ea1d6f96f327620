package dev.billing.bench.workload;

import dev.billing.bench.measure.GatewayProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Live traffic at a fixed rate, as inference nodes send it, with accounts driven across zero
 * balance at evenly spaced moments. Each cutoff account is new: its first record opens it with the
 * free $5.00, four records of exactly $1.00 leave it at $1.00 (ACTIVE), and a fifth, sent a second
 * later, takes it to $0.00, which must block it. The rest of the traffic is the Zipf mix of the
 * throughput phase over the same accounts. Counts the keys the job must write to PostgreSQL per
 * second, so the database load can be compared with the bound the design promises.
 */
public final class SteadyLoad implements AutoCloseable {
    private static final long TICK_MS = 5;
    private static final long LEAD_MS = 1_000;
    /** Records per cutoff account: four that leave it at $1.00 and the one that crosses zero. */
    public static final int RECORDS_PER_CUTOFF = 5;

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    /** What was sent, and the (account) and (account, model, hour) keys that changed per second. */
    public record Stats(long records, double seconds, double changedAccountsPerSecond, double changedRollupKeysPerSecond) {
        public double recordsPerSecond() {
            return records / seconds;
        }

        /** Upper bound on PostgreSQL rows per second at a 1 s flush: each changed key once per second. */
        public double changedKeysPerSecond() {
            return changedAccountsPerSecond + changedRollupKeysPerSecond;
        }
    }

    public SteadyLoad(String bootstrapServers) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("acks", "all");
        // an inference node sends within milliseconds; 5 ms batches keep the broker (in the harness's
        // JVM, on the same 2 cores as the job) from spending a core on one produce request per record
        p.put("linger.ms", "5");
        p.put("batch.size", Integer.toString(64 * 1024));
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public Stats run(String topic, UsageMessages messages, double recordsPerSecond, Duration duration, int cutoffs,
            String runId, GatewayProbe probe, Consumer<String> progress) {
        SplittableRandom random = new SplittableRandom(runId.hashCode());
        long durationMs = duration.toMillis();
        // crossings evenly spread over the phase, after a lead for each account's first four records
        long firstCrossing = LEAD_MS + 500;
        double crossingGapMs = (durationMs - firstCrossing - 500) / (double) Math.max(1, cutoffs);
        double backgroundRate = Math.max(0, recordsPerSecond - (double) RECORDS_PER_CUTOFF * cutoffs * 1000 / durationMs);

        long start = System.currentTimeMillis();
        long sent = 0;
        long background = 0;
        int primed = 0;
        int crossed = 0;
        long sequence = 0;
        Set<String> accountsThisSecond = new HashSet<>();
        Set<String> rollupKeysThisSecond = new HashSet<>();
        long secondStart = start;
        long accountKeys = 0;
        long rollupKeys = 0;
        long nextProgress = start + 5_000;
        while (true) {
            long now = System.currentTimeMillis();
            long elapsed = now - start;
            if (elapsed >= durationMs && crossed == cutoffs) {
                break;
            }
            if (now - secondStart >= 1_000) {
                accountKeys += accountsThisSecond.size();
                rollupKeys += rollupKeysThisSecond.size();
                accountsThisSecond.clear();
                rollupKeysThisSecond.clear();
                secondStart += 1_000;
            }
            long dueBackground = (long) (backgroundRate * Math.min(elapsed, durationMs) / 1000.0);
            for (; background < dueBackground; background++, sent++) {
                UsageMessages.Usage u = messages.usage("s" + runId + "-", sequence++, random, now);
                send(topic, now, u.account(), u.json());
                accountsThisSecond.add(u.account());
                rollupKeysThisSecond.add(u.account() + '|' + u.model());
            }
            for (; primed < cutoffs && elapsed >= firstCrossing + primed * crossingGapMs - LEAD_MS; primed++) {
                String account = cutoffAccount(runId, primed);
                for (int k = 0; k < RECORDS_PER_CUTOFF - 1; k++, sent++) {
                    send(topic, now, account, messages.oneDollar("c-" + runId + "-" + primed + "-" + k, account, now));
                }
                accountsThisSecond.add(account);
                rollupKeysThisSecond.add(account + '|' + UsageMessages.DOLLAR_MODEL);
            }
            for (; crossed < primed && elapsed >= firstCrossing + crossed * crossingGapMs; crossed++, sent++) {
                String account = cutoffAccount(runId, crossed);
                long createTime = System.currentTimeMillis();
                probe.expect(account, createTime);
                send(topic, createTime, account, messages.oneDollar("c-" + runId + "-" + crossed + "-cross", account, createTime));
                accountsThisSecond.add(account);
                rollupKeysThisSecond.add(account + '|' + UsageMessages.DOLLAR_MODEL);
            }
            if (failure.get() != null) {
                throw new IllegalStateException("Kafka refused a record of the steady load: " + failure.get().getMessage(),
                        failure.get());
            }
            if (now >= nextProgress) {
                progress.accept(String.format("  steady load: %,d records sent (%,.0f records/s), %d of %d accounts driven"
                        + " across zero", sent, sent * 1000.0 / Math.max(1, elapsed), crossed, cutoffs));
                nextProgress += 5_000;
            }
            try {
                Thread.sleep(TICK_MS); // pacing of the simulated traffic
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        producer.flush();
        double seconds = (System.currentTimeMillis() - start) / 1000.0;
        double fullSeconds = Math.max(1, (secondStart - start) / 1000.0);
        return new Stats(sent, seconds, accountKeys / fullSeconds, rollupKeys / fullSeconds);
    }

    public static String cutoffAccount(String runId, int i) {
        return "cut-" + runId + "-" + i;
    }

    private void send(String topic, long createTime, String account, byte[] value) {
        producer.send(new ProducerRecord<>(topic, null, createTime, account.getBytes(StandardCharsets.UTF_8), value),
                (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
