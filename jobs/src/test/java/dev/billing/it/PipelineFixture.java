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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine;

/**
 * What the pipeline tests share: a real KRaft broker, the real PostgreSQL (a fresh schema per
 * test), the job started on the test's MiniCluster, and readers of its outputs.
 */
public final class PipelineFixture implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMinutes(2);

    public final EmbeddedKafka kafka;
    public final LocalPostgres postgres;
    public final KafkaTestClient client;

    public PipelineFixture() throws Exception {
        Path tmp = Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir")));
        kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
        postgres = LocalPostgres.locate(System.out::println);
        client = new KafkaTestClient(kafka.bootstrapServers());
    }

    /** Job options for a fresh schema, 1 s checkpoints, parallelism 2, plus {@code extra}. */
    public JobOptions options(String schema, String... extra) throws Exception {
        Path checkpoints = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "chk");
        String[] base = {
            "--bootstrap-servers", kafka.bootstrapServers(),
            "--jdbc-url", postgres.freshSchema(schema),
            "--jdbc-user", postgres.user,
            "--jdbc-password", postgres.password,
            "--checkpoint-dir", checkpoints.toUri().toString(),
            "--checkpoint-interval", "1s",
            "--flush-interval", "300ms",
            "--parallelism", "2"};
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
        return options;
    }

    /** Creates topics, migrates, and submits the job to the MiniCluster of the test. */
    public static JobClient start(JobOptions options, String name) throws Exception {
        BillingJob.prepare(options);
        return BillingJob.environment(options, JobConfiguration.of(options)).executeAsync(name);
    }

    /**
     * Cancels the job and waits until it has ended: a cancel is acknowledged before the tasks stop,
     * and a broker closed under a sink still aborting its transaction holds the test for 60 s.
     */
    public static void cancel(JobClient job) throws Exception {
        job.cancel().get();
        job.getJobExecutionResult().handle((result, failure) -> null).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** usage_hourly as "account|model|hourStartMs" -> row. */
    public Map<String, LedgerModel.Row> usageHourly(JobOptions options) throws SQLException {
        Map<String, LedgerModel.Row> out = new TreeMap<>();
        query(options, "SELECT account_id, model, hour, requests, prompt_tokens, completion_tokens, cost_usd, list_cost_usd"
                + " FROM usage_hourly", rs -> out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getTimestamp(3).getTime(),
                        new LedgerModel.Row(rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getBigDecimal(7), rs.getBigDecimal(8))));
        return out;
    }

    /** account_balance per account; checks that every row's balance is credits minus spend. */
    public Map<String, LedgerModel.Balance> balances(JobOptions options) throws SQLException {
        Map<String, LedgerModel.Balance> out = new TreeMap<>();
        query(options, "SELECT account_id, credits_usd, spend_usd, month_spend_usd, status, balance_usd FROM account_balance",
                rs -> {
                    assertThat(rs.getBigDecimal(6)).isEqualByComparingTo(rs.getBigDecimal(2).subtract(rs.getBigDecimal(3)));
                    out.put(rs.getString(1), new LedgerModel.Balance(rs.getBigDecimal(2), rs.getBigDecimal(3),
                            rs.getBigDecimal(4), rs.getString(5)));
                });
        return out;
    }

    public interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    public void query(JobOptions options, String sql, RowReader reader) throws SQLException {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, postgres.user, postgres.password);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                reader.read(rs);
            }
        }
    }

    /** Every message on a topic of the job, each checked against its schema. */
    public List<JsonNode> readValid(String topic, String schema) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode m : client.readAll(topic)) {
            assertThat(Schemas.validate(schema, m)).as("%s against schemas/%s", m, schema).isEmpty();
            out.add(m);
        }
        return out;
    }

    /** Dead letters as where the rejected input was -> reason; a duplicate shows as "A+DUPLICATE+B". */
    public Map<KafkaTestClient.Sent, String> deadLetters(String topic) {
        Map<KafkaTestClient.Sent, String> out = new HashMap<>();
        for (JsonNode d : readValid(topic, "dead-letter")) {
            out.merge(new KafkaTestClient.Sent(d.get("source_topic").asText(), d.get("source_partition").asInt(),
                    d.get("source_offset").asLong()), d.get("reason").asText(), (a, b) -> a + "+DUPLICATE+" + b);
        }
        return out;
    }

    /**
     * Per account, the status transitions in version order, as {@code describe} renders them: a
     * status republished unchanged (with a moved balance at a flush, or after a restore) is not a
     * transition and is folded into the one before it.
     */
    public Map<String, List<String>> statusHistory(String topic, java.util.function.Function<JsonNode, String> describe) {
        return transitions(readValid(topic, "account-status"), s -> s.get("account_id").asText(),
                s -> s.get("version").asLong(), describe);
    }

    /**
     * Per account, the transitions of {@code statuses} in version order, as {@code describe} renders
     * them, a status republished unchanged folded into the one before it; two statuses of one
     * version show as "A+DUPLICATE+B".
     */
    public static <T> Map<String, List<String>> transitions(Iterable<T> statuses, java.util.function.Function<T, String> account,
            java.util.function.Function<T, Long> version, java.util.function.Function<T, String> describe) {
        Map<String, TreeMap<Long, String>> byVersion = new TreeMap<>();
        for (T s : statuses) {
            byVersion.computeIfAbsent(account.apply(s), k -> new TreeMap<>())
                    .merge(version.apply(s), describe.apply(s), (a, b) -> a + "+DUPLICATE+" + b);
        }
        Map<String, List<String>> out = new TreeMap<>();
        byVersion.forEach((id, versions) -> {
            List<String> transitions = new ArrayList<>();
            for (String status : versions.values()) {
                if (transitions.isEmpty() || !transitions.get(transitions.size() - 1).equals(status)) {
                    transitions.add(status);
                }
            }
            out.put(id, transitions);
        });
        return out;
    }

    /**
     * The published transitions of each account, replaced by the model's when they are the model's
     * with some left out, so that they compare equal. The ledger decides an account's status once
     * per bundle: transitions inside one bundle (a second block reason a record later, a block and
     * its lift within milliseconds) leave as one. What may not differ: the accounts, the order of
     * the transitions, and the last one, which is what a gateway holds.
     */
    public static Map<String, List<String>> coarsenedTo(Map<String, List<String>> model,
            Map<String, List<String>> published) {
        Map<String, List<String>> out = new TreeMap<>();
        published.forEach((account, seen) -> {
            List<String> want = model.get(account);
            out.put(account, want != null && leavesOut(want, seen) ? want : seen);
        });
        return out;
    }

    /** Whether {@code seen} is {@code all} with some transitions left out, ending where {@code all} ends. */
    private static boolean leavesOut(List<String> all, List<String> seen) {
        if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(all.get(all.size() - 1))) {
            return false;
        }
        int i = 0;
        for (String status : all) {
            if (i < seen.size() && seen.get(i).equals(status)) {
                i++;
            }
        }
        return i == seen.size();
    }

    /** Polls until {@code actual} equals {@code expected}; on timeout, fails showing both. */
    public static <T> void awaitEqual(String what, Callable<T> expected, Callable<T> actual) throws Exception {
        awaitEqual(what, expected, actual, TIMEOUT);
    }

    /** Polls until {@code actual} equals {@code expected}, at most {@code timeout}; on timeout, fails showing both. */
    public static <T> void awaitEqual(String what, Callable<T> expected, Callable<T> actual, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        T want = expected.call();
        T got = actual.call();
        while (!want.equals(got) && System.nanoTime() < deadline) {
            Thread.sleep(250); // the polling interval of a condition
            got = actual.call();
        }
        assertThat(got).as(what + difference(want, got)).isEqualTo(want);
    }

    /** For maps, the entries that differ: the whole maps are too long to read. */
    private static String difference(Object want, Object got) {
        if (!(want instanceof Map<?, ?> w) || !(got instanceof Map<?, ?> g)) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        java.util.Set<Object> keys = new java.util.LinkedHashSet<>(w.keySet());
        keys.addAll(g.keySet());
        for (Object key : keys) {
            Object a = w.get(key);
            Object b = g.get(key);
            if (!java.util.Objects.equals(a, b)) {
                lines.add(key + ": expected " + a + ", got " + b);
            }
        }
        lines.sort(null);
        return "; " + lines.size() + " entries differ, first: " + lines.stream().limit(15).toList();
    }

    public static void awaitTrue(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("timed out waiting for: " + what).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    @Override
    public void close() throws Exception {
        client.close();
        kafka.close();
        postgres.close();
    }
}
