package dev.billing.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.cli.BillingCli;
import dev.billing.it.History;
import dev.billing.it.KafkaTestClient;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.it.TestMessage;
import dev.billing.job.JobOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import picocli.CommandLine;

/**
 * Exactly-once money under faults. The job's shaded jar runs on a real Flink session cluster of
 * separate JobManager and TaskManager processes (or, for one scenario, as the single-process
 * {@code job} command) against a real KRaft broker and the real PostgreSQL, while simulated
 * inference nodes stream usage with resends, interleaved with purchases, adjustments, limit
 * changes, rate cards and malformed messages on every input topic ({@link ScenarioInput}). At a
 * point chosen by a printed seed a fault hits; afterwards the rollups and balances in PostgreSQL
 * must equal the independent model to the last digit, every alert and every dead letter must be
 * there exactly once, and what a gateway holds in the end (each account's highest-version status)
 * must be the state: status, reasons, balance and month spend. Rerun one with
 * {@code -Dbilling.seed=N}.
 */
class FaultScenariosIT {
    private static final int ACCOUNTS = 16;
    private static final int RECORDS = 1_600;
    private static final int PER_SECOND = 160;
    private static final String JDBC_APP = "billing-fault-test";
    /** Truncated JSON: dead-lettered as UNPARSEABLE_JSON from any input topic. */
    private static final byte[] MARKER = "{\"marker\": ".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @FunctionalInterface
    interface Fault {
        void inject() throws Exception;
    }

    private static PipelineFixture services;
    private FlinkCluster cluster;
    private Process jobProcess;

    @BeforeAll
    static void startServices() throws Exception {
        services = new PipelineFixture();
    }

    @AfterAll
    static void stopServices() throws Exception {
        services.close();
    }

    @AfterEach
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (jobProcess != null) {
            jobProcess.destroyForcibly().waitFor();
        }
    }

    @Test
    void taskManagerKilledMidStream(TestInfo test) throws Exception {
        Scenario s = new Scenario(test);
        String job = s.submitToCluster(2);
        s.run(() -> {
            cluster.killTaskManager(s.random.nextInt(cluster.taskManagerCount()));
            cluster.addTaskManager();
        });
        assertThat(cluster.failuresOf(job)).as("the kill must have failed the job over").isPositive();
        cluster.cancel(job);
    }

    @Test
    void kafkaBrokerBouncedMidStream(TestInfo test) throws Exception {
        Scenario s = new Scenario(test);
        String job = s.submitToCluster(2);
        s.run(() -> {
            services.kafka.stop();
            Thread.sleep(3_000 + s.random.nextInt(3_000)); // how long the broker stays down
            services.kafka.start();
        });
        cluster.cancel(job);
    }

    @Test
    void postgresConnectionsCutMidStream(TestInfo test) throws Exception {
        Scenario s = new Scenario(test);
        String job = s.submitToCluster(2);
        s.run(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4 + s.random.nextInt(3));
            while (System.nanoTime() < until) {
                terminateJobConnections();
                Thread.sleep(200); // PostgreSQL keeps refusing the job for the whole outage
            }
        });
        cluster.cancel(job);
    }

    @Test
    void stopWithSavepointThenRestoreWithAnotherParallelism(TestInfo test) throws Exception {
        Scenario s = new Scenario(test);
        String job = s.submitToCluster(2);
        String[] restarted = new String[1];
        s.run(() -> {
            String savepoint = cluster.stopWithSavepoint(job, s.dir.resolve("savepoints"));
            restarted[0] = cluster.run(s.jarId, s.args, 1, savepoint);
        });
        cluster.cancel(restarted[0]);
    }

    /**
     * A TaskManager cut off from the JobManager that still reaches PostgreSQL must not leave an
     * older total in a row after the new attempt wrote a newer one ({@link ZombieTaskManager}).
     * The JDBC sinks write 12 s after their first held row and at checkpoints (every 20 s, longer
     * than the stream lasts after the fault point, so that a checkpoint seldom flushes them just
     * before the freeze), so they hold rows for up to 12 s and,
     * frozen longer than that, write them the moment they resume (their writer threads' batch
     * timers are overdue; closing a sink writes nothing); heartbeats are short so the frozen
     * TaskManager is declared lost within seconds; a spare TaskManager takes over its slot; the REST API's
     * checkpoint statistics and metrics are kept fresh to tell when the sinks hold rows. The stream
     * goes at a quarter of the pace, so that however late the fault point, it runs on for more than
     * a batch interval after it: the sinks hold fresh rows to freeze with in every batch cycle.
     */
    @Test
    void zombieTaskManagerFlushesAfterTheFailover(TestInfo test) throws Exception {
        Scenario s = new Scenario(test, Map.of("--checkpoint-interval", "20s", "--jdbc-batch-interval", "12s",
                "--jdbc-batch-size", "100000"));
        s.perSecond = PER_SECOND / 4;
        String job = s.submitToCluster(2, Map.of("heartbeat.interval", "1000", "heartbeat.timeout", "5000",
                "rest.cache.checkpoint-statistics.timeout", "100 ms", "metrics.fetcher.update-interval", "200 ms"));
        cluster.addTaskManager();
        cluster.awaitTaskManagers(3);
        s.run(new ZombieTaskManager(cluster, job, services, s.options, JDBC_APP, s.input, s::rows));
        cluster.cancel(job);
    }

    @Test
    void singleProcessJobKilledAndRestartedFromItsLatestCheckpoint(TestInfo test) throws Exception {
        Scenario s = new Scenario(test);
        jobProcess = s.startJobCommand("first");
        s.awaitRunning();
        s.run(() -> {
            awaitCheckpoint(s.dir.resolve("checkpoints"));
            jobProcess.destroyForcibly().waitFor(); // kill -9
            jobProcess = s.startJobCommand("second");
        });
        assertThat(Files.readString(s.dir.resolve("job-second.out"))).contains("Resuming from checkpoint");
    }

    /**
     * A ten-day outage of the job while traffic goes on: restored from its savepoint, the job finds
     * ten days of backlog on both input topics; the events' is read in seconds, the usage's lags it
     * by days. Read as they come, the purchases would move every account's billing window past the
     * usage before them (TOO_LATE, never charged) and the balances would cross the auto top-up
     * level in an order that never happened. Read in event-time order, the month of history equals
     * the model to the last digit, nothing is dead-lettered, the payment requests are the model's
     * and reconcile agrees.
     */
    @Test
    void usageTopicDaysBehindTheEventsAfterAnOutage(TestInfo test) throws Exception {
        // the default idle and start timeouts: a partition that has read nothing yet on the busy cluster
        // holds the other topic back (--input-start-timeout), it is not idle (docs/billing-rules.md)
        Scenario s = new Scenario(test, Map.of("--input-max-drift", "3h"));
        long now = System.currentTimeMillis();
        long end = now - Duration.ofHours(2).toMillis();
        long outage = end - Duration.ofDays(10).toMillis();
        long start = end - Duration.ofDays(30).toMillis();
        History history = new History(s.seed, start, end, 6, Duration.ofHours(6).toMillis(), now);
        // the first twenty days wait in the topics when the job first starts, as when it is deployed on
        // topics that already have traffic (sent to a running job whose inputs are idle, a burst's
        // events can reach the ledger before the usage topic counts as active again: see docs/billing-rules.md)
        dev.billing.job.Topics.ensure(s.options);
        services.client.sendAll(history.messages(s.options, Long.MIN_VALUE, outage));
        String job = s.submitToCluster(2);
        PipelineFixture.awaitTrue(s.name + ": the days before the outage committed", () -> services.client
                .groupCaughtUp(s.options.groupId, s.options.usageTopic)
                && services.client.groupCaughtUp(s.options.groupId, s.options.eventsTopic));
        String savepoint = cluster.stopWithSavepoint(job, s.dir.resolve("savepoints"));

        services.client.sendAll(history.messages(s.options, outage, Long.MAX_VALUE)); // traffic during the outage
        String restored = cluster.run(s.jarId, s.args, 2, savepoint);
        Duration catchUp = Duration.ofMinutes(5);
        PipelineFixture.awaitEqual(s.name + ": rollups", history.model::rows, s::rows, catchUp);
        PipelineFixture.awaitEqual(s.name + ": balances", history.model::balances, () -> services.balances(s.options),
                catchUp);
        assertThat(services.readValid(s.options.dlqTopic, "dead-letter")).as(s.name + ": no dead letter, no TOO_LATE")
                .extracting(d -> d.get("reason").asText() + ": " + d.get("detail").asText()).isEmpty();
        // the requests are exactly once: visible when the checkpoint after them commits
        PipelineFixture.awaitEqual(s.name + ": the model's auto top-ups, each once",
                () -> sorted(history.model.topUpRequests().stream().map(r -> r.requestId() + " "
                        + r.amount().stripTrailingZeros().toPlainString()).toList()),
                () -> sorted(services.readValid(s.options.paymentRequestsTopic, "payment-request").stream()
                        .map(r -> r.get("request_id").asText() + " " + new BigDecimal(r.get("amount_usd").asText())
                                .stripTrailingZeros().toPlainString()).toList()));
        PipelineFixture.<Map<String, String>>awaitEqual(s.name + ": each account's last status",
                () -> lastStatuses(history.model), () -> {
                    Map<String, String> view = new TreeMap<>();
                    s.gatewayView().forEach((account, status) -> view.put(account, status.status()));
                    return view;
                });
        assertThat(s.reconcile(start)).as(s.name + ": bin/billing reconcile agrees").isZero();
        cluster.cancel(restored);
    }

    private static Map<String, String> lastStatuses(LedgerModel model) {
        Map<String, String> out = new TreeMap<>();
        model.statusHistory().forEach((account, h) -> out.put(account, h.get(h.size() - 1).split(" ")[0]));
        return out;
    }

    /** One scenario: its own topics, group, schema and checkpoints on the shared broker and database. */
    private final class Scenario {
        final long seed = Long.getLong("billing.seed", System.nanoTime());
        final Random random = new Random(seed);
        final String name;
        final Path dir;
        final ScenarioInput input;
        final JobOptions options;
        /** Where every message that must be dead-lettered landed, with its reason. */
        final Map<KafkaTestClient.Sent, String> deadLetters = new HashMap<>();
        final List<String> args;
        String jarId;
        /** Records a second the stream is sent at. */
        int perSecond = PER_SECOND;

        Scenario(TestInfo test) throws Exception {
            this(test, Map.of());
        }

        /** A scenario whose job gets {@code overrides} (option -> value) instead of the defaults below. */
        Scenario(TestInfo test, Map<String, String> overrides) throws Exception {
            name = test.getTestMethod().orElseThrow().getName();
            System.out.println(name + ": seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
            dir = Files.createTempDirectory(Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"))), "fault");
            long now = System.currentTimeMillis();
            String schema = "fault_" + name.toLowerCase().replaceAll("[^a-z]", "").substring(0, 20);
            String jdbcUrl = services.postgres.freshSchema(schema) + "&ApplicationName=" + JDBC_APP;
            String prefix = name + "-";
            Map<String, String> job = new LinkedHashMap<>();
            job.put("--bootstrap-servers", services.kafka.bootstrapServers());
            job.put("--group-id", prefix + "billing");
            job.put("--usage-topic", prefix + "usage");
            job.put("--events-topic", prefix + "events");
            job.put("--rates-topic", prefix + "rates");
            job.put("--status-topic", prefix + "status");
            job.put("--alerts-topic", prefix + "alerts");
            job.put("--payment-requests-topic", prefix + "payments");
            job.put("--dlq-topic", prefix + "dlq");
            job.put("--jdbc-url", jdbcUrl);
            job.put("--jdbc-user", services.postgres.user);
            job.put("--jdbc-password", services.postgres.password);
            job.put("--checkpoint-dir", dir.resolve("checkpoints").toUri().toString());
            job.put("--checkpoint-interval", "1s");
            job.put("--flush-interval", "300ms");
            job.putAll(overrides);
            args = job.entrySet().stream().flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).toList();
            options = new JobOptions();
            new CommandLine(options).parseArgs(args.toArray(String[]::new));
            input = new ScenarioInput(seed, options, ACCOUNTS, RECORDS, now);
        }

        String submitToCluster(int taskManagers) throws Exception {
            return submitToCluster(taskManagers, Map.of());
        }

        String submitToCluster(int taskManagers, Map<String, String> clusterConfig) throws Exception {
            cluster = new FlinkCluster(dir.resolve("cluster"), clusterConfig);
            cluster.start(taskManagers);
            jarId = cluster.upload(Path.of(System.getProperty("billing.job.jar")));
            String job = cluster.run(jarId, args, 2, null);
            awaitRunning();
            return job;
        }

        Process startJobCommand(String label) throws IOException {
            List<String> command = new ArrayList<>(List.of("job", "--parallelism", "2"));
            command.addAll(args);
            return CliProcess.start(dir, "job-" + label, command);
        }

        /** The job is up once the consumer group of its sources exists and follows the usage topic. */
        void awaitRunning() throws Exception {
            PipelineFixture.awaitTrue("the job's topics exist", () -> topicsExist(options));
        }

        void run(Fault fault) throws Exception {
            Phases phases = new Phases(name);
            List<TestMessage> setup = input.messages(input.setup);
            List<KafkaTestClient.Sent> setupSent = services.client.sendAll(setup);
            expect(setup, setupSent);
            awaitCheckpointed("the rate cards, limits and warm-up records", setupSent);
            phases.done("setup");

            int faultAt = input.size() / 5 + random.nextInt(input.size() / 2);
            System.out.println(name + ": fault after " + faultAt + " of " + input.size() + " records");
            List<TestMessage> stream = input.messages(input.stream);
            List<KafkaTestClient.Sent> streamSent = PacedSender.send(services.kafka.bootstrapServers(), stream, perSecond,
                    faultAt, fault);
            expect(stream, streamSent);
            phases.done("stream and fault");
            List<KafkaTestClient.Sent> cardsSent = new ArrayList<>();
            for (int i = 0; i < stream.size(); i++) {
                if (input.streamedCards.contains(input.stream.get(i))) {
                    cardsSent.add(streamSent.get(i));
                }
            }
            awaitCheckpointed("the rate cards that streamed", cardsSent);
            List<TestMessage> tail = input.messages(input.tail);
            expect(tail, services.client.sendAll(tail));
            phases.done("streamed cards checkpointed, tail sent");

            LedgerModel model = input.model;
            PipelineFixture.awaitEqual(name + ": rollups", model::rows, this::rows);
            PipelineFixture.awaitEqual(name + ": balances", model::balances, () -> services.balances(options));
            phases.done("money");
            PipelineFixture.awaitEqual(name + ": alerts, each once", () -> sorted(model.alertIds()), this::alertIds);
            PipelineFixture.awaitEqual(name + ": dead letters, each once", () -> deadLetters,
                    () -> services.deadLetters(options.dlqTopic));
            phases.done("alerts and dead letters");
            assertThat(reconcile(input.fromMs)).as(name + ": bin/billing reconcile finds what the job wrote to PostgreSQL")
                    .isZero();
            phases.done("reconcile");
            // the limit account's low limit blocks it and the raise unblocks it; when the ledger reads
            // both in one bundle (close in the stream, or in the backlog it catches up after the fault)
            // the block never leaves, so the check is on the order, not on the block's presence
            List<String> limitAccount = services.statusHistory(options.statusTopic,
                    s -> s.get("status").asText() + " " + reasons(s)).get(ScenarioInput.account(1));
            assertThat(limitAccount).as(name + ": the limit account ends unblocked by the raise").endsWith("ACTIVE []");
            if (limitAccount.contains("BLOCKED [MONTHLY_LIMIT]")) {
                assertThat(limitAccount).as(name + ": the limit account, blocked by its low limit, unblocked by the raise")
                        .containsSubsequence("BLOCKED [MONTHLY_LIMIT]", "ACTIVE []");
            }
            // statuses are published at once, not on checkpoints: the last ones are there by now
            PipelineFixture.awaitEqual(name + ": what a gateway holds in the end (each account's highest-version status)"
                    + " is the state", model::finalStatuses, this::gatewayView, Duration.ofSeconds(10));
            phases.done("statuses");
        }

        /** Where each message that must be dead-lettered landed, and its reason. */
        private void expect(List<TestMessage> messages, List<KafkaTestClient.Sent> where) {
            for (int i = 0; i < messages.size(); i++) {
                if (messages.get(i).expectedReason() != null) {
                    deadLetters.put(where.get(i), messages.get(i).expectedReason());
                }
            }
        }

        /**
         * Waits until the job has the messages sent to {@code where} in a completed checkpoint, so that
         * no restore can replay later input ahead of them. Behind each, in its partition, goes a
         * malformed marker: a source reads a partition in order, and the dead-letter topic is
         * committed with a checkpoint, so once the markers' dead letters are visible, a completed
         * checkpoint holds everything before them. (Waiting for the consumer group's committed
         * offsets would take up to 10 s more per wait: the Kafka source commits an idle partition
         * only when its fetch poll times out.)
         */
        private void awaitCheckpointed(String what, List<KafkaTestClient.Sent> where) throws Exception {
            Set<KafkaTestClient.Sent> markers = new HashSet<>();
            for (KafkaTestClient.Sent partition : new LinkedHashSet<>(where.stream()
                    .map(w -> new KafkaTestClient.Sent(w.topic(), w.partition(), 0)).toList())) {
                KafkaTestClient.Sent marker = services.client.sendTo(partition.topic(), partition.partition(),
                        "marker/" + seed + "/" + markers.size(), MARKER);
                markers.add(marker);
                deadLetters.put(marker, "UNPARSEABLE_JSON");
            }
            PipelineFixture.awaitTrue(name + ": " + what + " in a completed checkpoint",
                    () -> services.deadLetters(options.dlqTopic).keySet().containsAll(markers));
        }

        /** An auditor's check: the topics replayed by {@code bin/billing reconcile} give what PostgreSQL holds. */
        private int reconcile(long fromMs) {
            List<String> command = new ArrayList<>(List.of("reconcile",
                    "--from", Instant.ofEpochMilli(fromMs).minus(Duration.ofHours(1)).toString(),
                    "--to", Instant.now().plus(Duration.ofHours(1)).toString(),
                    "--work-schema", "replay_" + name.toLowerCase().replaceAll("[^a-z]", "").substring(0, 20),
                    "--parallelism", "2"));
            command.addAll(args);
            return new CommandLine(new BillingCli()).execute(command.toArray(String[]::new));
        }

        Map<String, LedgerModel.Row> rows() throws SQLException {
            Map<String, LedgerModel.Row> out = new TreeMap<>();
            services.query(options, "SELECT account_id, model, hour, requests, prompt_tokens, completion_tokens, cost_usd,"
                    + " list_cost_usd FROM usage_hourly", rs -> out.put(rs.getString(1) + "|" + rs.getString(2) + "|"
                            + rs.getTimestamp(3).getTime(), new LedgerModel.Row(rs.getLong(4), rs.getLong(5), rs.getLong(6),
                            rs.getBigDecimal(7), rs.getBigDecimal(8))));
            return out;
        }

        private List<String> alertIds() {
            return services.readValid(options.alertsTopic, "billing-alert").stream().map(a -> a.get("alert_id").asText())
                    .sorted().collect(Collectors.toList());
        }

        /** Per account, the status message of the highest version: what a gateway holds in the end. */
        private Map<String, LedgerModel.FinalStatus> gatewayView() {
            Map<String, JsonNode> latest = new TreeMap<>();
            for (JsonNode s : services.readValid(options.statusTopic, "account-status")) {
                latest.merge(s.get("account_id").asText(), s,
                        (a, b) -> a.get("version").asLong() >= b.get("version").asLong() ? a : b);
            }
            Map<String, LedgerModel.FinalStatus> out = new TreeMap<>();
            latest.forEach((k, v) -> {
                List<String> reasons = new ArrayList<>();
                v.get("reasons").forEach(r -> reasons.add(r.asText()));
                out.put(k, new LedgerModel.FinalStatus(v.get("status").asText(), reasons,
                        new BigDecimal(v.get("balance_usd").asText()), new BigDecimal(v.get("month_spend_usd").asText())));
            });
            return out;
        }
    }

    /** Prints how long each phase of a scenario took, for the CI time budget. */
    private static final class Phases {
        private final String name;
        private long since = System.nanoTime();

        Phases(String name) {
            this.name = name;
        }

        void done(String phase) {
            long now = System.nanoTime();
            System.out.printf("%s: %s took %.1f s%n", name, phase, (now - since) / 1e9);
            since = now;
        }
    }

    private static String reasons(JsonNode status) {
        List<String> out = new ArrayList<>();
        status.get("reasons").forEach(r -> out.add(r.asText()));
        return out.toString();
    }

    private static List<String> sorted(java.util.Collection<String> ids) {
        return ids.stream().sorted().collect(Collectors.toList());
    }

    private static boolean topicsExist(JobOptions options) {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", options.bootstrapServers))) {
            return admin.listTopics().names().get(5, TimeUnit.SECONDS).containsAll(
                    List.of(options.usageTopic, options.eventsTopic, options.statusTopic, options.dlqTopic, options.alertsTopic));
        } catch (Exception e) {
            return false;
        }
    }

    /** Waits until the job has completed a checkpoint, so the kill lands in the middle of real work. */
    private static void awaitCheckpoint(Path checkpoints) throws Exception {
        PipelineFixture.awaitTrue("a completed checkpoint", () -> {
            if (!Files.isDirectory(checkpoints)) {
                return false;
            }
            try (var walk = Files.walk(checkpoints, 3)) {
                return walk.anyMatch(p -> p.getFileName().toString().equals("_metadata"));
            }
        });
    }

    private static void terminateJobConnections() throws SQLException {
        try (Connection c = DriverManager.getConnection(services.postgres.jdbcUrl, services.postgres.user,
                services.postgres.password); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + JDBC_APP + "'");
        }
    }
}
