package dev.billing.cli.reconcile;

import dev.billing.cli.ops.ResultFormat;
import dev.billing.embedded.SchemaName;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Compares what the job wrote with what the replay recomputed, in PostgreSQL: one line per field
 * that differs, in three scopes: {@code usage_hourly} (an account, model and hour),
 * {@code account_usage} (an account, summed over the window's hours) and {@code account_balance}
 * (an account's lifetime credits, spend and balance). A row missing on one side shows as null there.
 */
final class ReconcileDiff {
    private static final String DIFFERENCES = """
            WITH billed AS (SELECT * FROM %1$s.usage_hourly WHERE hour >= ? AND hour < ?),
                 recomputed AS (SELECT * FROM %2$s.usage_hourly WHERE hour >= ? AND hour < ?),
                 billed_accounts AS (SELECT account_id, sum(requests) AS requests, sum(cost_usd) AS cost_usd,
                                            sum(list_cost_usd) AS list_cost_usd FROM billed GROUP BY account_id),
                 recomputed_accounts AS (SELECT account_id, sum(requests) AS requests, sum(cost_usd) AS cost_usd,
                                                sum(list_cost_usd) AS list_cost_usd FROM recomputed GROUP BY account_id)
            SELECT 'usage_hourly' AS scope, account_id, model,
                   to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS hour, d.field,
                   trim_scale(d.billed)::text AS billed, trim_scale(d.recomputed)::text AS recomputed
              FROM billed b FULL JOIN recomputed r USING (account_id, model, hour)
              CROSS JOIN LATERAL (VALUES
                  ('requests', b.requests::numeric, r.requests::numeric),
                  ('prompt_tokens', b.prompt_tokens::numeric, r.prompt_tokens::numeric),
                  ('completion_tokens', b.completion_tokens::numeric, r.completion_tokens::numeric),
                  ('cost_usd', b.cost_usd, r.cost_usd),
                  ('list_cost_usd', b.list_cost_usd, r.list_cost_usd)) AS d(field, billed, recomputed)
             WHERE d.billed IS DISTINCT FROM d.recomputed
            UNION ALL
            SELECT 'account_usage', account_id, NULL, NULL, d.field, trim_scale(d.billed)::text, trim_scale(d.recomputed)::text
              FROM billed_accounts b FULL JOIN recomputed_accounts r USING (account_id)
              CROSS JOIN LATERAL (VALUES
                  ('requests', b.requests, r.requests),
                  ('cost_usd', b.cost_usd, r.cost_usd),
                  ('list_cost_usd', b.list_cost_usd, r.list_cost_usd)) AS d(field, billed, recomputed)
             WHERE d.billed IS DISTINCT FROM d.recomputed
            UNION ALL
            SELECT 'account_balance', account_id, NULL, NULL, d.field, trim_scale(d.billed)::text, trim_scale(d.recomputed)::text
              FROM %1$s.account_balance b FULL JOIN %2$s.account_balance r USING (account_id)
              CROSS JOIN LATERAL (VALUES
                  ('credits_usd', b.credits_usd, r.credits_usd),
                  ('spend_usd', b.spend_usd, r.spend_usd),
                  ('balance_usd', b.balance_usd, r.balance_usd)) AS d(field, billed, recomputed)
             WHERE ? AND d.billed IS DISTINCT FROM d.recomputed
            ORDER BY scope DESC, account_id, hour, model, field
            """;

    private static final String TOTALS = """
            SELECT (SELECT count(*) FROM %1$s.usage_hourly WHERE hour >= ? AND hour < ?),
                   (SELECT coalesce(sum(cost_usd), 0) FROM %1$s.usage_hourly WHERE hour >= ? AND hour < ?),
                   (SELECT count(*) FROM %2$s.usage_hourly WHERE hour >= ? AND hour < ?),
                   (SELECT coalesce(sum(cost_usd), 0) FROM %2$s.usage_hourly WHERE hour >= ? AND hour < ?),
                   (SELECT count(*) FROM %2$s.account_balance)
            """;

    private final String billedSchema;
    private final String recomputedSchema;
    private final Instant from;
    private final Instant to;

    ReconcileDiff(String billedSchema, String recomputedSchema, Instant from, Instant to) {
        this.billedSchema = quoted(billedSchema);
        this.recomputedSchema = SchemaName.quoted(recomputedSchema);
        this.from = from;
        this.to = to;
    }

    /** Prints the differences to {@code out} in {@code format}; returns how many there are. */
    int printDifferences(Connection c, boolean balances, ResultFormat format, PrintStream out) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DIFFERENCES.formatted(billedSchema, recomputedSchema))) {
            int i = bindWindow(ps, 1, 2);
            ps.setBoolean(i, balances);
            try (ResultSet rs = ps.executeQuery()) {
                return format.print(rs, out);
            }
        }
    }

    /** One line on the size of both sides, so that "no differences" is never said of two empty tables unnoticed. */
    String summary(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TOTALS.formatted(billedSchema, recomputedSchema))) {
            bindWindow(ps, 1, 4);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return String.format("Hours %s to %s: the job wrote %d usage_hourly rows, $%s; the replay recomputed"
                        + " %d rows, $%s, and %d account balances.", from, to, rs.getLong(1),
                        rs.getBigDecimal(2).stripTrailingZeros().toPlainString(), rs.getLong(3),
                        rs.getBigDecimal(4).stripTrailingZeros().toPlainString(), rs.getLong(5));
            }
        }
    }

    /** Any existing schema's name (the job's, from current_schema(), may need quoting) as an SQL identifier. */
    private static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** Binds {@code windows} (from, to) pairs starting at parameter {@code first}; returns the next index. */
    private int bindWindow(PreparedStatement ps, int first, int windows) throws SQLException {
        int i = first;
        for (int w = 0; w < windows; w++) {
            ps.setTimestamp(i++, Timestamp.from(from));
            ps.setTimestamp(i++, Timestamp.from(to));
        }
        return i;
    }
}
