package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.embedded.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against a real KRaft broker: bootstrap, version ordering, and a broker restart. */
class CutoffClientIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void bootstrapsTheNewestStatusOfEveryAccountAndReportsWhenCaughtUp() throws Exception {
        int accounts = 5_000;
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("CutoffClientIT seed=" + seed);
        Random random = new Random(seed);
        Map<String, Boolean> expectedBlocked = new HashMap<>();
        Map<String, Long> expectedVersion = new HashMap<>();
        try (StatusTopic topic = new StatusTopic(kafka.bootstrapServers(), "status-bootstrap")) {
            // three versions per account, appended in random order: the newest version wins, not the last message
            List<Callable<Future<RecordMetadata>>> sends = new ArrayList<>();
            for (int i = 0; i < accounts; i++) {
                String account = "acct-" + i;
                long base = 1_772_367_011_250_000L + i * 10L;
                for (int v = 1; v <= 3; v++) {
                    long version = base + v;
                    boolean blocked = random.nextBoolean();
                    sends.add(() -> topic.send(account, blocked, version));
                    if (v == 3) {
                        expectedBlocked.put(account, blocked);
                        expectedVersion.put(account, version);
                    }
                }
            }
            Collections.shuffle(sends, random);
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (Callable<Future<RecordMetadata>> send : sends) {
                acks.add(send.call());
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }

            long start = System.nanoTime();
            try (CutoffClient client = CutoffClient.start(config(topic.name).build())) {
                assertThat(client.awaitBootstrap(TIMEOUT)).as("bootstrapped").isTrue();
                long bootstrapMs = (System.nanoTime() - start) / 1_000_000;

                CutoffClientStats stats = client.stats();
                assertThat(stats.accounts()).as("every account is known when bootstrap is reported").isEqualTo(accounts);
                assertThat(stats.lag()).isZero();
                assertThat(stats.updatesApplied() + stats.staleUpdatesIgnored()).isEqualTo(3L * accounts);
                assertThat(stats.malformedMessages()).isZero();
                for (int i = 0; i < accounts; i++) {
                    String account = "acct-" + i;
                    Decision d = client.check(account);
                    assertThat(d.allowed()).as(account).isEqualTo(!expectedBlocked.get(account));
                    assertThat(d.status().version()).as(account).isEqualTo(expectedVersion.get(account));
                    assertThat(d.httpStatus()).isEqualTo(d.allowed() ? 200 : 402);
                }
                assertThat(client.check("acct-never-seen")).isSameAs(Decision.UNKNOWN_ACCOUNT);
                System.out.printf("bootstrap: %,d accounts (%,d messages, %,d stale) in %,d ms; blocked %,d%n", accounts,
                        3 * accounts, stats.staleUpdatesIgnored(), bootstrapMs, stats.blockedAccounts());
                CheckLatency.report(client, new ArrayList<>(expectedBlocked.keySet()));
            }
        }
    }

    @Test
    void ignoresAnOlderOrRepeatedVersion() throws Exception {
        try (StatusTopic topic = new StatusTopic(kafka.bootstrapServers(), "status-versions");
                CutoffClient client = CutoffClient.start(config(topic.name).build())) {
            assertThat(client.awaitBootstrap(TIMEOUT)).as("an empty topic bootstraps too").isTrue();

            topic.sendAndWait("acct-1", true, 10, TIMEOUT);
            Await.until("v10 BLOCKED applied", TIMEOUT, () -> !client.check("acct-1").allowed());

            topic.sendAndWait("acct-1", false, 9, TIMEOUT); // a replay of an older status
            Await.until("v9 seen", TIMEOUT, () -> client.stats().staleUpdatesIgnored() == 1);
            assertThat(client.check("acct-1").allowed()).isFalse();
            assertThat(client.status("acct-1").version()).isEqualTo(10);

            topic.sendAndWait("acct-1", false, 10, TIMEOUT); // the same version again
            Await.until("second v10 seen", TIMEOUT, () -> client.stats().staleUpdatesIgnored() == 2);
            assertThat(client.check("acct-1").allowed()).isFalse();

            topic.sendAndWait("acct-1", false, 11, TIMEOUT);
            Await.until("v11 ACTIVE applied", TIMEOUT, () -> client.check("acct-1").allowed());
            assertThat(client.stats().updatesApplied()).isEqualTo(2);
        }
    }

    /**
     * A compacted topic keeps an account's history until its cleaner runs (never in the active
     * segment): BLOCKED, ACTIVE after a purchase, BLOCKED again. A client catching up reads the
     * ACTIVE midway; were it applied, a client stuck there (a bootstrap timeout, a broker lost
     * during the catch-up) would serve under FAIL_OPEN an account it has read as blocked.
     */
    @Test
    void anAccountReadAsBlockedStaysBlockedThroughItsCatchUp() throws Exception {
        try (StatusTopic topic = new StatusTopic(kafka.bootstrapServers(), "status-catch-up")) {
            topic.sendTo(0, "acct-a", true, 1);
            fill(topic, "before", 20_000);
            topic.sendTo(0, "acct-a", false, 2);
            fill(topic, "after", 60_000);
            topic.sendTo(0, "acct-a", true, 3).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            // a client reading in small steps, so its catch-up takes a while; FAIL_OPEN serves meanwhile
            try (CutoffClient client = CutoffClient.start(config(topic.name)
                    .kafkaProperty("max.poll.records", "50")
                    .kafkaProperty("max.partition.fetch.bytes", "8192")
                    .build())) {
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                long checksWhileBlocked = 0;
                long servedAfterBlocked = 0;
                while (!client.isBootstrapped() && System.nanoTime() < deadline) {
                    if (!client.check("acct-a").allowed()) {
                        checksWhileBlocked++;
                    } else if (checksWhileBlocked > 0) {
                        servedAfterBlocked++;
                    }
                    LockSupport.parkNanos(100_000); // the sampling interval
                }
                assertThat(client.isBootstrapped()).isTrue();
                System.out.printf("catch-up: acct-a checked blocked %,d times, served %,d times after that%n",
                        checksWhileBlocked, servedAfterBlocked);
                assertThat(checksWhileBlocked).as("the catch-up was watched after it read acct-a BLOCKED").isPositive();
                assertThat(servedAfterBlocked).as("acct-a served after it was read BLOCKED").isZero();
                assertThat(client.check("acct-a").allowed()).isFalse();
                assertThat(client.status("acct-a").version()).isEqualTo(3);

                // caught up, an unblock is the account's status: it applies at once
                topic.sendTo(0, "acct-a", false, 4).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                Await.until("v4 ACTIVE applied", TIMEOUT, () -> client.check("acct-a").allowed());
            }
        }
    }

    private static void fill(StatusTopic topic, String prefix, int count) throws Exception {
        Future<RecordMetadata> last = null;
        for (int i = 0; i < count; i++) {
            last = topic.sendTo(0, "acct-" + prefix + "-" + i, i % 2 == 0, 1);
        }
        last.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void survivesABrokerRestart() throws Exception {
        try (StatusTopic topic = new StatusTopic(kafka.bootstrapServers(), "status-restart");
                CutoffClient open = CutoffClient.start(config(topic.name)
                        .maxStaleness(Duration.ofSeconds(1))
                        .requestTimeout(Duration.ofMillis(500))
                        .build());
                CutoffClient closed = CutoffClient.start(config(topic.name)
                        .failurePolicy(FailurePolicy.FAIL_CLOSED)
                        .maxStaleness(Duration.ofSeconds(1))
                        .requestTimeout(Duration.ofMillis(500))
                        .build())) {
            topic.sendAndWait("acct-r", true, 1, TIMEOUT);
            Await.until("both clients see the cutoff", TIMEOUT,
                    () -> open.check("acct-r").paymentRequired() && closed.check("acct-r").paymentRequired());

            Duration outage;
            kafka.stop();
            try {
                Await.until("both clients stale, the fail-closed one refusing", TIMEOUT,
                        () -> open.isStale() && closed.check("acct-r") == Decision.STATUS_UNAVAILABLE);
                assertThat(closed.check("acct-unknown").httpStatus()).isEqualTo(503);
                assertThat(open.staleness()).isGreaterThan(Duration.ofSeconds(1));
                assertThat(open.check("acct-r").paymentRequired()).as("fail-open keeps the last known cutoff").isTrue();
                assertThat(open.check("acct-unknown").allowed()).isTrue();
                outage = open.staleness();
            } finally {
                kafka.start();
            }

            topic.sendAndWait("acct-r", false, 2, TIMEOUT);
            Await.until("both clients see the account resume", TIMEOUT,
                    () -> open.check("acct-r").allowed() && closed.check("acct-r").allowed());
            Await.until("fresh again", TIMEOUT, () -> !open.isStale() && !closed.isStale());
            assertThat(closed.check("acct-unknown").allowed()).isTrue();
            System.out.printf("broker restart: staleness reached %d ms while down; now %d ms, lag %d%n",
                    outage.toMillis(), open.staleness().toMillis(), open.lag());
        }
    }

    private static CutoffClientConfig.Builder config(String topic) {
        return CutoffClientConfig.builder(kafka.bootstrapServers()).topic(topic);
    }
}
