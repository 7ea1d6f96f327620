package dev.billing.bench.measure;

import dev.billing.embedded.SchemaName;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What PostgreSQL says was written to the job's tables: inserted plus updated tuples of
 * usage_hourly and account_balance in the benchmark's schema (pg_stat_user_tables; its counters
 * lag a backend's writes by up to a second or so). pg_stat_statements is not needed.
 */
public final class PostgresStats {
    private final String url;
    private final String user;
    private final String password;
    private final String schema;

    public PostgresStats(String url, String user, String password, String schema) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.schema = schema;
    }

    /** Rows written (n_tup_ins + n_tup_upd) to the job's two tables so far. */
    public long rowsWritten() {
        String sql = "SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables"
                + " WHERE schemaname = ? AND relname IN ('usage_hourly', 'account_balance')";
        try (Connection c = DriverManager.getConnection(url, user, password); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, schema);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_stat_user_tables: " + e.getMessage(), e);
        }
    }

    /** Rows now in the two tables (what the upserts converge to). */
    public long rowsPresent() {
        String quoted = SchemaName.quoted(schema);
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement s = c.prepareStatement("SELECT (SELECT count(*) FROM " + quoted + ".usage_hourly)"
                        + " + (SELECT count(*) FROM " + quoted + ".account_balance)");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count the job's rows: " + e.getMessage(), e);
        }
    }
}
