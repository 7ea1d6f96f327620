package dev.billing.cli.demo;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What the demo reads back from PostgreSQL: the tables billing analysts query. */
final class PostgresView implements AutoCloseable {
    record Totals(long requests, BigDecimal billedUsd, long rollupRows, long accounts, long blocked, BigDecimal spendUsd) {}

    record AccountLine(String account, String status, BigDecimal credits, BigDecimal spend, BigDecimal balance) {}

    private final Connection connection;

    PostgresView(String jdbcUrl, String user, String password) throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl, user, password);
    }

    Totals totals() throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet u = s.executeQuery("SELECT coalesce(sum(requests), 0), coalesce(sum(cost_usd), 0), count(*)"
                        + " FROM usage_hourly")) {
            u.next();
            long requests = u.getLong(1);
            BigDecimal billed = u.getBigDecimal(2);
            long rows = u.getLong(3);
            try (ResultSet b = s.executeQuery("SELECT count(*), count(*) FILTER (WHERE status = 'BLOCKED'),"
                    + " coalesce(sum(spend_usd), 0) FROM account_balance")) {
                b.next();
                return new Totals(requests, billed, rows, b.getLong(1), b.getLong(2), b.getBigDecimal(3));
            }
        }
    }

    List<AccountLine> accounts() throws SQLException {
        List<AccountLine> out = new ArrayList<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT account_id, status, credits_usd, spend_usd, balance_usd"
                        + " FROM account_balance ORDER BY account_id")) {
            while (rs.next()) {
                out.add(new AccountLine(rs.getString(1), rs.getString(2), rs.getBigDecimal(3), rs.getBigDecimal(4),
                        rs.getBigDecimal(5)));
            }
        }
        return out;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
