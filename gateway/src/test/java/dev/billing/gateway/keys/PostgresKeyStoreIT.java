package dev.billing.gateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.DatabasePool;
import dev.billing.job.Migrations;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The key store's pool, its memory of unknown ids and its lane for keys in use, against the real PostgreSQL. */
class PostgresKeyStoreIT {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int FLOOD_THREADS = 12;
    private static final int SAMPLES = 300;

    private static LocalPostgres postgres;
    private static DatabaseOptions database;

    @BeforeAll
    static void migrate() {
        postgres = LocalPostgres.locate(System.out::println);
        String url = postgres.freshSchema("it_key_store");
        Migrations.apply(url, postgres.user, postgres.password);
        database = new DatabaseOptions(url, postgres.user, postgres.password);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aFloodOfMadeUpKeysDoesNotDelayTheLookupOfAKeyInUse() throws Exception {
        ApiKey real;
        try (Connection c = database.connect()) {
            real = new ApiKeyTable(c).create("acct-flood", "in use", RANDOM).key();
        }
        String header = "Bearer " + real.text();
        // no caching of found rows: every authentication of the real key is a query, as it is once per cache period
        Figures pooled;
        try (PostgresKeyStore store = PostgresKeyStore.pooled(database, Duration.ZERO)) {
            pooled = measure("pool of " + PostgresKeyStore.POOL_SIZE, store, header);
        }

        assertThat(pooled.floodLookups()).as("the flood reached the database").isGreaterThan(SAMPLES);
        // the flood competes for the machine's two cores, not for the real key's connections: a few
        // times the baseline, where waiting behind the flood's queries would be the flood's whole queue
        assertThat(pooled.floodP99()).as("p99 of the real key under the flood (ns)")
                .isLessThanOrEqualTo(Math.max(20 * pooled.baseP99(), TimeUnit.MILLISECONDS.toNanos(100)));
    }

    private record Figures(long baseP99, long floodP99, long floodLookups) {}

    /** The real key's lookup latency alone, then while {@link #FLOOD_THREADS} threads look up made-up keys. */
    private static Figures measure(String what, PostgresKeyStore store, String header) throws Exception {
        for (int i = 0; i < 100; i++) {
            assertThat(store.authenticate(header)).isPresent(); // warm: connections open, the key known
        }
        long[] baseline = sample(store, header);

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong floodLookups = new AtomicLong();
        AtomicLong floodRefusedBusy = new AtomicLong();
        CountDownLatch floodRunning = new CountDownLatch(FLOOD_THREADS);
        ExecutorService flood = Executors.newFixedThreadPool(FLOOD_THREADS);
        List<Future<?>> floods = new ArrayList<>();
        for (int t = 0; t < FLOOD_THREADS; t++) {
            floods.add(flood.submit(() -> {
                floodRunning.countDown();
                while (flooding.get()) {
                    try {
                        assertThat(store.authenticate("Bearer " + ApiKey.generate(RANDOM).text())).isEmpty();
                        floodLookups.incrementAndGet();
                    } catch (Authenticator.Unavailable e) {
                        floodRefusedBusy.incrementAndGet(); // its share of the pool was taken: a 503
                    }
                }
                return null;
            }));
        }
        long[] underFlood;
        long floodStart = System.nanoTime();
        try {
            assertThat(floodRunning.await(10, TimeUnit.SECONDS)).isTrue();
            // sample only once the flood is at the database in earnest, not while its threads start
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (floodLookups.get() <= SAMPLES && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // poll the condition, leaving the cores to the flood
            }
            underFlood = sample(store, header);
        } finally {
            flooding.set(false);
            flood.shutdown();
        }
        for (Future<?> f : floods) {
            f.get(30, TimeUnit.SECONDS);
        }
        double floodSeconds = (System.nanoTime() - floodStart) / 1e9;

        long baseP99 = percentile(baseline, 99);
        long floodP99 = percentile(underFlood, 99);
        System.out.printf("real key lookup, %s: baseline p50 %.2f ms p99 %.2f ms; under a flood of %d threads"
                        + " (%d made-up keys looked up, %.0f/s, %d refused while the strangers' share was busy):"
                        + " p50 %.2f ms p99 %.2f ms max %.2f ms%n",
                what, percentile(baseline, 50) / 1e6, baseP99 / 1e6, FLOOD_THREADS, floodLookups.get(),
                floodLookups.get() / floodSeconds, floodRefusedBusy.get(), percentile(underFlood, 50) / 1e6,
                floodP99 / 1e6, percentile(underFlood, 100) / 1e6);
        return new Figures(baseP99, floodP99, floodLookups.get());
    }

    @Test
    void anUnknownIdIsAskedForOncePerPeriodAndAKeyCreatedUnderItWorksAfterIt() throws Exception {
        AtomicLong nanos = new AtomicLong();
        AtomicInteger queries = new AtomicInteger();
        try (HikariDataSource pool = DatabasePool.open(database, "it-keys", 2, 1, Duration.ofSeconds(2));
                PostgresKeyStore store = new PostgresKeyStore(() -> {
                    queries.incrementAndGet();
                    return pool.getConnection();
                }, database.describe(), PostgresKeyStore.DEFAULT_CACHE_TTL, nanos::get, null, 2)) {
            ApiKey key = ApiKey.generate(RANDOM);
            String header = "Bearer " + key.text();
            for (int i = 0; i < 50; i++) {
                assertThat(store.authenticate(header)).isEmpty();
            }
            assertThat(queries).as("one lookup for the unknown id").hasValue(1);

            try (Connection c = database.connect(); PreparedStatement s = c.prepareStatement(
                    "INSERT INTO api_keys (key_id, account_id, name, secret_sha256) VALUES (?, ?, ?, ?)")) {
                s.setString(1, key.keyId());
                s.setString(2, "acct-late");
                s.setString(3, "created after its id was tried");
                s.setBytes(4, key.sha256());
                s.executeUpdate();
            }
            assertThat(store.authenticate(header)).as("still remembered as unknown").isEmpty();

            nanos.addAndGet(PostgresKeyStore.UNKNOWN_TTL.plusMillis(1).toNanos());
            assertThat(store.authenticate(header)).contains(new Authenticator.Caller("acct-late", key.keyId()));
            assertThat(queries).hasValue(2);
        }
    }

    @Test
    void unknownIdsAreRememberedUpToTheirBound() throws Exception {
        AtomicInteger queries = new AtomicInteger();
        try (HikariDataSource pool = DatabasePool.open(database, "it-keys-bound", 2, 1, Duration.ofSeconds(2));
                PostgresKeyStore store = new PostgresKeyStore(() -> {
                    queries.incrementAndGet();
                    return pool.getConnection();
                }, database.describe(), PostgresKeyStore.DEFAULT_CACHE_TTL, () -> 0L, null, 2)) {
            for (long i = 0; i < PostgresKeyStore.MAX_UNKNOWN_IDS + 2_000; i++) {
                assertThat(store.authenticate("Bearer " + ApiKey.generate(RANDOM).text())).isEmpty();
            }
            assertThat(queries.get()).isEqualTo(PostgresKeyStore.MAX_UNKNOWN_IDS + 2_000);
            assertThat(store.unknownIds()).isBetween(1L, PostgresKeyStore.MAX_UNKNOWN_IDS);
        }
    }

    private static long[] sample(PostgresKeyStore store, String header) {
        long[] nanos = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            long start = System.nanoTime();
            assertThat(store.authenticate(header)).isPresent();
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos;
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}
