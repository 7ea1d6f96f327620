package dev.billing.cli.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.cli.CliRun;
import dev.billing.it.Dataset;
import dev.billing.it.PipelineFixture;
import dev.billing.it.PipelineTestBase;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * An audit of a real run: the billing job bills a generated dataset (resends, disorder, late and
 * bad input, credits, cutoffs) from a real broker into PostgreSQL. The replay must recompute the
 * independent ground truth to the last digit and find no difference; after the billed tables are
 * tampered with, it must name exactly the rows and fields that were changed, and exit 1.
 */
class ReconcileIT extends PipelineTestBase {
    private static final String WORK_SCHEMA = "it_reconcile_work";

    @Test
    void recomputesTheGroundTruthAndNamesEveryTamperedField() throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("ReconcileIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(8, ChronoUnit.HOURS).toEpochMilli();
        Dataset data = new Dataset(seed, t0, 20, 1500, 800);
        JobOptions options = fixture.options("it_reconcile");
        JobClient job = PipelineFixture.start(options, "reconcile-it");
        try {
            data.sendAndAwait(fixture, options);
        } finally {
            PipelineFixture.cancel(job);
        }
        Instant from = Instant.ofEpochMilli(t0).minus(1, ChronoUnit.DAYS);
        Instant to = Instant.ofEpochMilli(t0).plus(8, ChronoUnit.HOURS);

        CliRun clean = reconcile(options, from, to);
        assertThat(clean.exitCode()).as(clean.printed()).isZero();
        assertThat(clean.err()).contains("No differences.");
        assertThat(clean.out().strip()).isEqualTo("scope,account_id,model,hour,field,billed,recomputed");
        JobOptions work = new JobOptions();
        work.jdbcUrl = JdbcUrls.withCurrentSchema(options.jdbcUrl, WORK_SCHEMA);
        assertThat(fixture.usageHourly(work)).as("recomputed rollups").isEqualTo(data.model.rows());
        assertThat(fixture.balances(work)).as("recomputed balances").isEqualTo(data.model.balances());

        List<Row> rows = usageRows(options);
        Row changed = rows.get(0);
        Row deleted = rows.stream().filter(r -> !r.account().equals(changed.account())).findFirst().orElseThrow();
        String credited = rows.stream().map(Row::account)
                .filter(a -> !a.equals(changed.account()) && !a.equals(deleted.account())).findFirst().orElseThrow();
        BigDecimal oneAttodollar = new BigDecimal("0.000000000000000001");
        execute(options, "UPDATE usage_hourly SET cost_usd = cost_usd + ? WHERE account_id = ? AND model = ? AND hour = ?",
                oneAttodollar, changed.account(), changed.model(), new Timestamp(changed.hourMs()));
        execute(options, "DELETE FROM usage_hourly WHERE account_id = ? AND model = ? AND hour = ?",
                deleted.account(), deleted.model(), new Timestamp(deleted.hourMs()));
        execute(options, "UPDATE account_balance SET credits_usd = credits_usd + 1, balance_usd = balance_usd + 1"
                + " WHERE account_id = ?", credited);

        CliRun tampered = reconcile(options, from, to);
        assertThat(tampered.exitCode()).as(tampered.printed()).isEqualTo(1);
        Set<String> expected = new TreeSet<>();
        expected.add(key("usage_hourly", changed, "cost_usd"));
        expected.add("account_usage," + changed.account() + ",,,cost_usd");
        for (String field : List.of("requests", "prompt_tokens", "completion_tokens", "cost_usd", "list_cost_usd")) {
            expected.add(key("usage_hourly", deleted, field));
        }
        for (String field : List.of("requests", "cost_usd", "list_cost_usd")) {
            expected.add("account_usage," + deleted.account() + ",,," + field);
        }
        expected.add("account_balance," + credited + ",,,credits_usd");
        expected.add("account_balance," + credited + ",,,balance_usd");
        Map<String, String[]> reported = differences(tampered.out());
        assertThat(reported.keySet()).isEqualTo(expected);
        assertThat(tampered.err()).contains(expected.size() + " differences.");

        String[] cost = reported.get(key("usage_hourly", changed, "cost_usd"));
        assertThat(new BigDecimal(cost[0]).subtract(new BigDecimal(cost[1]))).isEqualByComparingTo(oneAttodollar);
        assertThat(new BigDecimal(cost[1])).isEqualByComparingTo(
                data.model.rows().get(changed.account() + "|" + changed.model() + "|" + changed.hourMs()).cost());
        String[] missing = reported.get(key("usage_hourly", deleted, "requests"));
        assertThat(missing[0]).as("the deleted row is missing on the billed side").isEmpty();
        assertThat(Long.parseLong(missing[1])).isEqualTo(
                data.model.rows().get(deleted.account() + "|" + deleted.model() + "|" + deleted.hourMs()).requests());
        String[] credits = reported.get("account_balance," + credited + ",,,credits_usd");
        assertThat(new BigDecimal(credits[0]).subtract(new BigDecimal(credits[1]))).isEqualByComparingTo(BigDecimal.ONE);

        CliRun outside = reconcile(options, to, to.plus(1, ChronoUnit.HOURS), "--no-balances");
        assertThat(outside.exitCode()).as("tampered rows outside the window, balances not compared: " + outside.err()).isZero();
    }

    @Test
    void refusesAnEmptyWindowAndTheJobsOwnSchema() throws Exception {
        JobOptions options = fixture.options("it_reconcile_args");
        Instant now = Instant.now();
        CliRun backwards = reconcile(options, now, now.minus(1, ChronoUnit.HOURS));
        assertThat(backwards.exitCode()).isEqualTo(2);
        assertThat(backwards.err()).contains("must be before --to");
        CliRun ownSchema = CliRun.of(List.of("reconcile", "--from", now.minus(1, ChronoUnit.DAYS).toString(),
                "--work-schema", "it_reconcile_args", "--jdbc-url", options.jdbcUrl, "--jdbc-user", options.jdbcUser,
                "--jdbc-password", options.jdbcPassword, "--bootstrap-servers", options.bootstrapServers));
        assertThat(ownSchema.exitCode()).isEqualTo(2);
        assertThat(ownSchema.err()).contains("is the schema the job writes to");
    }

    record Row(String account, String model, long hourMs) {}

    private static String key(String scope, Row row, String field) {
        return scope + "," + row.account() + "," + row.model() + "," + Instant.ofEpochMilli(row.hourMs()) + "," + field;
    }

    /** CSV lines after the header, by "scope,account,model,hour,field", to {billed, recomputed}. */
    private static Map<String, String[]> differences(String csv) {
        Map<String, String[]> out = new TreeMap<>();
        csv.lines().skip(1).filter(l -> !l.isBlank()).forEach(line -> {
            String[] f = line.split(",", -1);
            assertThat(f).as(line).hasSize(7);
            out.put(String.join(",", f[0], f[1], f[2], f[3], f[4]), new String[] {f[5], f[6]});
        });
        return out;
    }

    /** The billed rows of plain ASCII accounts (the CSV above is split naively), in key order. */
    private static List<Row> usageRows(JobOptions options) throws Exception {
        List<Row> rows = new ArrayList<>();
        fixture.query(options, "SELECT account_id, model, hour FROM usage_hourly WHERE account_id LIKE 'acct-%'"
                + " ORDER BY 1, 3, 2", rs -> rows.add(new Row(rs.getString(1), rs.getString(2), rs.getTimestamp(3).getTime())));
        return rows;
    }

    private static void execute(JobOptions options, String sql, Object... params) throws Exception {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, options.jdbcUser, options.jdbcPassword);
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            assertThat(ps.executeUpdate()).as(sql).isEqualTo(1);
        }
    }

    private static CliRun reconcile(JobOptions options, Instant from, Instant to, String... extra) {
        List<String> args = new ArrayList<>(List.of("reconcile", "--from", from.toString(), "--to", to.toString(),
                "--work-schema", WORK_SCHEMA, "--format", "CSV", "--parallelism", "2",
                "--bootstrap-servers", options.bootstrapServers, "--jdbc-url", options.jdbcUrl,
                "--jdbc-user", options.jdbcUser, "--jdbc-password", options.jdbcPassword));
        args.addAll(List.of(extra));
        return CliRun.of(args);
    }
}
