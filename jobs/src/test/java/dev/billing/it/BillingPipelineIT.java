package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.contract.Schemas;
import dev.billing.embedded.EmbeddedKafka;
import dev.billing.embedded.LocalPostgres;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/**
 * The whole job on a MiniCluster (parallelism 2) against a real KRaft broker and the real
 * PostgreSQL: a generated dataset over many accounts and hours, with resends, disorder, late
 * records, top-ups, accounts running dry and every kind of bad input. PostgreSQL, the status
 * topic and the dead-letter topic must match an independent computation to the last digit.
 */
class BillingPipelineIT {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static EmbeddedKafka kafka;
    private static LocalPostgres postgres;

    @BeforeAll
    static void startServices() throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"))), "kafka");
        kafka = EmbeddedKafka.start(dir);
        postgres = LocalPostgres.locate(System.out::println);
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void billsEveryCentExactlyAndSignalsEachCutoffOnce() throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("BillingPipelineIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(8, ChronoUnit.HOURS).toEpochMilli();
        Dataset data = new Dataset(seed, t0, 40, 3000, 1500);
        Map<String, List<String>> expectedStatuses = data.reference.statusHistory();
        long cutoffs = expectedStatuses.values().stream().flatMap(List::stream).filter("BLOCKED"::equals).count();
        long restores = expectedStatuses.values().stream().filter(h -> h.lastIndexOf("ACTIVE") > h.indexOf("BLOCKED")
                && h.contains("BLOCKED")).count();
        System.out.println("dataset: " + expectedStatuses.size() + " accounts, " + cutoffs + " cutoffs, "
                + restores + " accounts restored by credits");
        assertThat(cutoffs).as("the dataset must drive accounts to zero").isGreaterThanOrEqualTo(5);
        assertThat(restores).as("the dataset must bring blocked accounts back").isGreaterThanOrEqualTo(2);

        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(
                "--bootstrap-servers", kafka.bootstrapServers(),
                "--jdbc-url", postgres.freshSchema("it_pipeline"),
                "--jdbc-user", postgres.user,
                "--jdbc-password", postgres.password,
                "--checkpoint-dir", Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "chk").toUri().toString(),
                "--checkpoint-interval", "1s",
                "--flush-interval", "300ms",
                "--parallelism", "2");

        Map<KafkaTestClient.Sent, String> expectedDeadLetters = new HashMap<>();
        try (KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            BillingJob.prepare(options);
            expectedDeadLetters.putAll(client.send(data.rates));
            expectedDeadLetters.putAll(client.send(data.opens));
            Configuration conf = JobConfiguration.of(options);
            JobClient job = BillingJob.environment(options, conf).executeAsync("billing-it");
            try {
                // prices must be in the ledger before the usage they price
                awaitTrue("rate cards and openings consumed", () -> client.groupCaughtUp(options.groupId, options.ratesTopic)
                        && client.groupCaughtUp(options.groupId, options.eventsTopic));

                expectedDeadLetters.putAll(client.send(data.phase1));
                awaitEqual("phase 1 rollups", data.afterPhase1::usageHourly, this::usageHourly);
                awaitEqual("phase 1 balances", data.afterPhase1::balances, this::balances);

                expectedDeadLetters.putAll(client.send(data.phase2));
                awaitEqual("phase 2 balances", data.afterPhase2::balances, this::balances);

                expectedDeadLetters.putAll(client.send(data.phase3));
                awaitEqual("final rollups", data.reference::usageHourly, this::usageHourly);
                awaitEqual("final balances", data.reference::balances, this::balances);

                awaitEqual("dead letters", () -> expectedDeadLetters, () -> deadLetters(client, options.dlqTopic));
                assertThat(statusHistory(client, options.statusTopic))
                        .as("each account's published statuses: first status, then every change once")
                        .isEqualTo(expectedStatuses);
                assertThat(accountsIn("account_balance")).doesNotContain("acct-ghost");
            } finally {
                job.cancel().get();
            }
        }
    }

    private Map<String, Reference.Totals> usageHourly() throws SQLException {
        Map<String, Reference.Totals> out = new TreeMap<>();
        query("SELECT account_id, model, hour, requests, prompt_tokens, completion_tokens, cost_usd FROM usage_hourly",
                rs -> out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getTimestamp(3).getTime(),
                        new Reference.Totals(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getBigDecimal(7))));
        return out;
    }

    private Map<String, Reference.Balance> balances() throws SQLException {
        Map<String, Reference.Balance> out = new TreeMap<>();
        query("SELECT account_id, credits_usd, spend_usd, month_spend_usd, status, balance_usd FROM account_balance",
                rs -> {
                    assertThat(rs.getBigDecimal(6)).isEqualByComparingTo(rs.getBigDecimal(2).subtract(rs.getBigDecimal(3)));
                    out.put(rs.getString(1), new Reference.Balance(rs.getBigDecimal(2), rs.getBigDecimal(3),
                            rs.getBigDecimal(4), rs.getString(5)));
                });
        return out;
    }

    private List<String> accountsIn(String table) throws SQLException {
        List<String> out = new ArrayList<>();
        query("SELECT account_id FROM " + table, rs -> out.add(rs.getString(1)));
        return out;
    }

    private static Map<KafkaTestClient.Sent, String> deadLetters(KafkaTestClient client, String topic) {
        Map<KafkaTestClient.Sent, String> out = new HashMap<>();
        for (JsonNode d : client.readAll(topic)) {
            assertThat(Schemas.validate("dead-letter", d)).as("dead letter %s against its schema", d).isEmpty();
            out.merge(new KafkaTestClient.Sent(d.get("source_topic").asText(), d.get("source_partition").asInt(),
                    d.get("source_offset").asLong()), d.get("reason").asText(), (a, b) -> a + "+DUPLICATE+" + b);
        }
        return out;
    }

    /** Per account, the statuses published in version order. */
    private static Map<String, List<String>> statusHistory(KafkaTestClient client, String topic) {
        Map<String, TreeMap<Long, String>> byVersion = new TreeMap<>();
        for (JsonNode s : client.readAll(topic)) {
            assertThat(Schemas.validate("account-status", s)).as("status %s against its schema", s).isEmpty();
            byVersion.computeIfAbsent(s.get("account_id").asText(), k -> new TreeMap<>())
                    .merge(s.get("version").asLong(), s.get("status").asText(), (a, b) -> a + "+DUPLICATE+" + b);
        }
        Map<String, List<String>> out = new TreeMap<>();
        byVersion.forEach((account, versions) -> out.put(account, new ArrayList<>(versions.values())));
        return out;
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    private void query(String sql, RowReader reader) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl(), postgres.user, postgres.password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
        }
    }

    private String jdbcUrl() {
        return postgres.jdbcUrl + (postgres.jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=it_pipeline";
    }

    /** Polls until {@code actual} equals {@code expected}; on timeout, fails showing both. */
    static <T> void awaitEqual(String what, Callable<T> expected, Callable<T> actual) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        T want = expected.call();
        T got = actual.call();
        while (!want.equals(got) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.sleep(250); // polling interval of a condition, not a wait standing in for one
            got = actual.call();
        }
        assertThat(got).as(what).isEqualTo(want);
    }

    static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("timed out waiting for: " + what).isLessThan(deadline);
            Thread.sleep(250);
        }
    }
}
