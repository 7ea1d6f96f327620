package dev.billing.bench.pg;

import dev.billing.embedded.LocalPostgres;
import dev.billing.job.Migrations;
import dev.billing.ledger.UsageHourlyRow;
import dev.billing.ledger.UsageRollup;
import dev.billing.output.PostgresSinks;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * How many {@code usage_hourly} rows per second PostgreSQL takes on this machine, by how the
 * upserts are sent, side by side in one run: one statement per row in a JDBC batch (what
 * flink-connector-jdbc sent), the same batch rewritten by pgjdbc into multi-row statements
 * ({@code reWriteBatchedInserts}), and one statement per batch whose rows travel as arrays
 * ({@code INSERT ... SELECT FROM unnest(...)}, what {@link PostgresSinks} sends). Each strategy
 * writes the same rows into an emptied table: first as new keys (inserts), then again as newer
 * versions of the same keys (updates, the steady state of a rollup table).
 *
 * <pre>java -cp ... dev.billing.bench.pg.PostgresCapacity [rows] [batch size] [rounds]</pre>
 */
public final class PostgresCapacity {
    private PostgresCapacity() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        LocalPostgres pg = LocalPostgres.locate(System.out::println);
        String url = pg.freshSchema("billing_pgcap");
        Migrations.apply(url, pg.user, pg.password);
        List<UsageHourlyRow> data = rows(rows);
        System.out.printf("%,d usage_hourly rows, batches of %d, %d rounds%n", rows, batch, rounds);
        for (int round = 1; round <= rounds; round++) {
            for (Strategy s : Strategy.values()) {
                try (Connection c = connect(url, pg, s == Strategy.REWRITTEN_BATCH)) {
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("TRUNCATE usage_hourly");
                    }
                    c.commit();
                    double inserts = write(c, s, data, batch, 1);
                    double updates = write(c, s, data, batch, 2);
                    System.out.printf("round %d  %-22s inserts %,9.0f rows/s   updates %,9.0f rows/s%n", round, s,
                            inserts, updates);
                }
            }
        }
    }

    enum Strategy { STATEMENT_PER_ROW, REWRITTEN_BATCH, ARRAYS }

    private static Connection connect(String url, LocalPostgres pg, boolean rewrite) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user);
        if (pg.password != null) {
            props.setProperty("password", pg.password);
        }
        props.setProperty("reWriteBatchedInserts", Boolean.toString(rewrite));
        return DriverManager.getConnection(url, props);
    }

    private static double write(Connection c, Strategy s, List<UsageHourlyRow> data, int batch, long version)
            throws SQLException {
        long t0 = System.nanoTime();
        String sql = s == Strategy.ARRAYS ? PostgresSinks.USAGE_HOURLY.arraySql() : PostgresSinks.USAGE_HOURLY.upsertSql();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int from = 0; from < data.size(); from += batch) {
                List<UsageHourlyRow> chunk = data.subList(from, Math.min(data.size(), from + batch));
                for (UsageHourlyRow row : chunk) {
                    row.version = version;
                }
                if (s == Strategy.ARRAYS) {
                    PostgresSinks.USAGE_HOURLY.bindArrays(c, ps, chunk);
                    ps.execute();
                } else {
                    for (UsageHourlyRow row : chunk) {
                        PostgresSinks.USAGE_HOURLY.bind(ps, row);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
        }
        return data.size() / ((System.nanoTime() - t0) / 1e9);
    }

    private static List<UsageHourlyRow> rows(int n) {
        List<UsageHourlyRow> out = new ArrayList<>(n);
        String[] models = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};
        long hour0 = 1_764_000_000_000L / 3_600_000L * 3_600_000L;
        for (int i = 0; i < n; i++) {
            UsageHourlyRow r = new UsageHourlyRow();
            r.totals = new UsageRollup();
            r.accountId = "acct-" + (i / 8);
            r.totals.model = models[i % 4];
            r.totals.hourStartMs = hour0 + (i / 4 % 2) * 3_600_000L;
            r.totals.requests = 1 + i % 17;
            r.totals.promptTokens = 1_000L * r.totals.requests;
            r.totals.completionTokens = 300L * r.totals.requests;
            r.totals.costUsd = new BigDecimal("0.000123456789012").multiply(BigDecimal.valueOf(r.totals.requests));
            r.totals.listCostUsd = r.totals.costUsd;
            out.add(r);
        }
        return out;
    }
}
