package dev.billing.gateway.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.embedded.EmbeddedKafka;
import dev.billing.gateway.Await;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.payments.GroupFollower;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's topic readers on a real broker: where the alerts are read from, and how every reader stops. */
class FollowersIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String ALERTS = "billing-alerts";
    /** The readers' stop is tried on a topic of its own: its records' times would move the window's start. */
    private static final String STOP_ALERTS = "stop-alerts";
    private static final String STATUS = "account-status";

    @TempDir
    static Path tmp;
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            // kept forever: records stamped weeks ago must stay in the topic for the test
            admin.createTopics(List.of(
                    new NewTopic(ALERTS, 2, (short) 1).configs(Map.of("retention.ms", "-1")),
                    new NewTopic(STOP_ALERTS, 2, (short) 1),
                    new NewTopic(STATUS, 2, (short) 1).configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void alertsOlderThanTheWindowAreNotRead() throws Exception {
        long now = System.currentTimeMillis();
        long old = now - BillingApi.ALERTS_WINDOW.plusDays(1).toMillis();
        long recent = now - BillingApi.ALERTS_WINDOW.minusDays(1).toMillis();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            // in time order, as the job publishes them
            for (long at : new long[] {old, recent, now}) {
                String suffix = at == old ? "/old" : at == recent ? "/recent" : "/now";
                for (String account : List.of("acct-a", "acct-b")) {
                    producer.send(alert(ALERTS, at, account, account + suffix)).get();
                }
            }
        }
        RecentAlerts alerts = new RecentAlerts(BillingApi.RECENT_ALERTS, BillingApi.ALERTED_ACCOUNTS,
                BillingApi.ALERTS_WINDOW, Clock.systemUTC());
        Set<String> read = ConcurrentHashMap.newKeySet();
        try (TopicTail tail = new TopicTail(kafka.bootstrapServers(), new Properties(), "it-alerts", List.of(ALERTS),
                BillingApi.ALERTS_WINDOW, (topic, alert, at) -> {
                    read.add(alert.path("alert_id").asText());
                    alerts.add(alert, at);
                }).start()) {
            Await.until("both accounts' alerts of the window", TIMEOUT,
                    () -> alerts.of("acct-a").size() == 2 && alerts.of("acct-b").size() == 2);
            assertThat(alerts.of("acct-a")).extracting(a -> a.get("alert_id").asText())
                    .containsExactly("acct-a/now", "acct-a/recent");
            assertThat(read).as("the old ones were not even read")
                    .containsExactlyInAnyOrder("acct-a/recent", "acct-b/recent", "acct-a/now", "acct-b/now");
        }
    }

    @Test
    void everyReaderStopsWithoutAnErrorWhenClosedOrInterrupted() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            producer.send(alert(STOP_ALERTS, System.currentTimeMillis(), "acct-c", "acct-c/1")).get();
        }
        List<String> problems = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> problems.add(t.getName() + " died: " + e));
        Handler warnings = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue() && r.getLoggerName().startsWith("dev.billing")) {
                    problems.add(r.getLoggerName() + ": " + r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(warnings);
        try {
            for (boolean interrupt : new boolean[] {false, true}) {
                String round = interrupt ? "interrupted" : "closed";
                AtomicInteger tailed = new AtomicInteger();
                AtomicInteger grouped = new AtomicInteger();
                try (TopicTail tail = new TopicTail(kafka.bootstrapServers(), new Properties(), "it-tail-" + round,
                                List.of(STOP_ALERTS), null, (topic, alert, at) -> tailed.incrementAndGet()).start();
                        GroupFollower group = new Counting(kafka.bootstrapServers(), "it-group-" + round, grouped);
                        CutoffClient cutoffs = CutoffClient.start(CutoffClientConfig.builder(kafka.bootstrapServers())
                                .topic(STATUS).build())) {
                    Await.until("every reader read", TIMEOUT,
                            () -> tailed.get() > 0 && grouped.get() > 0 && cutoffs.isBootstrapped());
                    if (interrupt) {
                        // what a JVM going down, or an owner's executor, does to its threads
                        Thread.getAllStackTraces().keySet().stream()
                                .filter(t -> t.getName().endsWith(round) || t.getName().equals("cutoff-client-" + STATUS))
                                .forEach(Thread::interrupt);
                    }
                }
                Await.until("the readers' threads ended", TIMEOUT, () -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().endsWith(round) || t.getName().equals("cutoff-client-" + STATUS)));
            }
        } finally {
            root.removeHandler(warnings);
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertThat(problems).isEmpty();
    }

    /** Counts the alerts it reads in its own consumer group. */
    private static final class Counting extends GroupFollower {
        private final AtomicInteger read;

        Counting(String bootstrapServers, String name, AtomicInteger read) {
            super(bootstrapServers, new Properties(), name + "-" + UUID.randomUUID(), name, List.of(STOP_ALERTS));
            this.read = read;
            start();
        }

        @Override
        protected void onRecord(String topic, JsonNode value) {
            read.incrementAndGet();
        }
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ProducerRecord<byte[], byte[]> alert(String topic, long timestamp, String account, String id) {
        String json = "{\"alert_id\":\"" + id + "\",\"account_id\":\"" + account
                + "\",\"type\":\"LOW_BALANCE\",\"occurred_at\":\"2026-03-01T00:00:00Z\"}";
        return new ProducerRecord<>(topic, null, timestamp, bytes(account), bytes(json));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
