package dev.billing.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.cli.BillingCli;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.it.TestMessage;
import dev.billing.job.JobOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
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
 * inference nodes stream usage with resends. At a point chosen by a printed seed a fault hits;
 * afterwards the rollups and balances in PostgreSQL must equal the independent model to the last
 * digit, every account's final status must be right, and every alert must be there exactly once.
 * Rerun one with {@code -Dbilling.seed=N}.
 */
class FaultScenariosIT {
    private static final int ACCOUNTS = 16;
    private static final int RECORDS = 2_400;
    private static final int PER_SECOND = 160;
    private static final String JDBC_APP = "billing-fault-test";

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

    /** One scenario: its own topics, group, schema and checkpoints on the shared broker and database. */
    private final class Scenario {
        final long seed = Long.getLong("billing.seed", System.nanoTime());
        final Random random = new Random(seed);
        final String name;
        final Path dir;
        final LedgerModel model;
        final JobOptions options;
        final List<String> args;
        String jarId;

        Scenario(TestInfo test) throws Exception {
            name = test.getTestMethod().orElseThrow().getName();
            System.out.println(name + ": seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
            dir = Files.createTempDirectory(Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"))), "fault");
            long now = System.currentTimeMillis();
            model = new LedgerModel(now);
            String schema = "fault_" + name.toLowerCase().replaceAll("[^a-z]", "").substring(0, 20);
            String jdbcUrl = services.postgres.freshSchema(schema) + "&ApplicationName=" + JDBC_APP;
            String prefix = name + "-";
            args = List.of("--bootstrap-servers", services.kafka.bootstrapServers(),
                    "--group-id", prefix + "billing",
                    "--usage-topic", prefix + "usage", "--events-topic", prefix + "events", "--rates-topic", prefix + "rates",
                    "--status-topic", prefix + "status", "--alerts-topic", prefix + "alerts", "--dlq-topic", prefix + "dlq",
                    "--jdbc-url", jdbcUrl, "--jdbc-user", services.postgres.user, "--jdbc-password", services.postgres.password,
                    "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(), "--checkpoint-interval", "1s",
                    "--flush-interval", "300ms");
            options = new JobOptions();
            new CommandLine(options).parseArgs(args.toArray(String[]::new));
        }

        String submitToCluster(int taskManagers) throws Exception {
            cluster = new FlinkCluster(dir.resolve("cluster"));
            cluster.start(taskManagers);
            jarId = cluster.upload(Path.of(System.getProperty("billing.job.jar")));
            String job = cluster.run(jarId, args, 2, null);
            awaitRunning();
            return job;
        }

        Process startJobCommand(String label) throws IOException {
            String classpath = System.getProperty("billing.cli.jar") + ":"
                    + Files.readString(Path.of(System.getProperty("billing.cli.classpath"))).trim();
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp"))));
            command.addAll(List.of(System.getProperty("jvm.add.opens", "").trim().split("\\s+")));
            command.addAll(List.of("-cp", classpath, "dev.billing.cli.BillingCli", "job", "--parallelism", "2"));
            command.addAll(args);
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("job-" + label + ".out").toFile()).start();
        }

        /** The job is up once the consumer group of its sources exists and follows the usage topic. */
        void awaitRunning() throws Exception {
            PipelineFixture.awaitTrue("the job's topics exist", () -> topicsExist(options));
        }

        void run(Fault fault) throws Exception {
            long now = System.currentTimeMillis();
            long monthStart = LocalDate.ofInstant(Instant.ofEpochMilli(now), ZoneOffset.UTC).withDayOfMonth(1)
                    .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            List<TestMessage> setup = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i += 2) {
                String account = String.format("acct-%03d", i);
                setup.add(TestMessage.valid(options.eventsTopic, account, "{\"event_id\":\"limits-" + i + "\",\"account_id\":\""
                        + account + "\",\"type\":\"LIMITS_SET\",\"occurred_at\":\"" + Instant.now()
                        + "\",\"alert_thresholds_usd\":[\"0.10\",\"1.00\",\"3.00\"]}"));
                model.limits(account, null, "0.10", "1.00", "3.00");
            }
            services.client.send(setup);
            PipelineFixture.awaitTrue("account setup consumed", () -> services.client.groupCaughtUp(options.groupId, options.eventsTopic));

            UsageStream stream = new UsageStream(seed, options.usageTopic, ACCOUNTS, RECORDS,
                    Math.max(monthStart, now - 3 * 3_600_000L), now - 1_000, model);
            int faultAt = stream.size() / 5 + random.nextInt(stream.size() / 2);
            System.out.println(name + ": fault after " + faultAt + " of " + stream.size() + " records");
            stream.send(services.kafka.bootstrapServers(), PER_SECOND, faultAt, fault);

            PipelineFixture.awaitEqual(name + ": rollups", model::rows, this::rows);
            PipelineFixture.awaitEqual(name + ": balances", model::balances, () -> services.balances(options));
            PipelineFixture.awaitEqual(name + ": alerts, each once", () -> sorted(model.alertIds()), this::alertIds);
            assertThat(finalStatuses()).as(name + ": final status of every account").isEqualTo(expectedFinalStatuses());
            assertThat(reconcile(now)).as(name + ": bin/billing reconcile finds what the job wrote to PostgreSQL").isZero();
        }

        /** An auditor's check: the topics replayed by {@code bin/billing reconcile} give what PostgreSQL holds. */
        private int reconcile(long now) {
            List<String> command = new ArrayList<>(List.of("reconcile",
                    "--from", Instant.ofEpochMilli(now).minus(Duration.ofHours(4)).toString(),
                    "--to", Instant.ofEpochMilli(now).plus(Duration.ofHours(1)).toString(),
                    "--work-schema", "replay_" + name.toLowerCase().replaceAll("[^a-z]", "").substring(0, 20),
                    "--parallelism", "2"));
            command.addAll(args);
            return new CommandLine(new BillingCli()).execute(command.toArray(String[]::new));
        }

        private Map<String, LedgerModel.Row> rows() throws SQLException {
            Map<String, LedgerModel.Row> out = new TreeMap<>();
            services.query(options, "SELECT account_id, model, hour, requests, cost_usd, list_cost_usd FROM usage_hourly",
                    rs -> out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getTimestamp(3).getTime(),
                            new LedgerModel.Row(rs.getLong(4), rs.getBigDecimal(5), rs.getBigDecimal(6))));
            return out;
        }

        private List<String> alertIds() {
            return services.readValid(options.alertsTopic, "billing-alert").stream().map(a -> a.get("alert_id").asText())
                    .sorted().collect(Collectors.toList());
        }

        /** The status of the highest version per account: what a gateway holds in the end. */
        private Map<String, String> finalStatuses() {
            Map<String, JsonNode> latest = new TreeMap<>();
            for (JsonNode s : services.readValid(options.statusTopic, "account-status")) {
                latest.merge(s.get("account_id").asText(), s,
                        (a, b) -> a.get("version").asLong() >= b.get("version").asLong() ? a : b);
            }
            Map<String, String> out = new TreeMap<>();
            latest.forEach((k, v) -> out.put(k, v.get("status").asText()));
            return out;
        }

        private Map<String, String> expectedFinalStatuses() {
            Map<String, String> out = new TreeMap<>();
            model.statusHistory().forEach((k, h) -> out.put(k, h.get(h.size() - 1).split(" ")[0]));
            return out;
        }
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
