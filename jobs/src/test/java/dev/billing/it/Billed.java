package dev.billing.it;

import dev.billing.embedded.LocalPostgres;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** What the job wrote to PostgreSQL for an account: the test's view of what was billed. */
public final class Billed {
    private final JobOptions options;
    private final LocalPostgres postgres;

    public Billed(JobOptions options, LocalPostgres postgres) {
        this.options = options;
        this.postgres = postgres;
    }

    /** The account's lifetime spend in account_balance, zero before its first row. */
    public BigDecimal spendUsd(String account) throws SQLException {
        BigDecimal spend = decimal("SELECT spend_usd FROM account_balance WHERE account_id = ?", account);
        return spend == null ? BigDecimal.ZERO : spend;
    }

    public BigDecimal balanceUsd(String account) throws SQLException {
        return decimal("SELECT balance_usd FROM account_balance WHERE account_id = ?", account);
    }

    /** Requests billed to the account, from its hourly rollups (each request id once). */
    public long requests(String account) throws SQLException {
        BigDecimal n = decimal("SELECT sum(requests) FROM usage_hourly WHERE account_id = ?", account);
        return n == null ? 0 : n.longValueExact();
    }

    private BigDecimal decimal(String sql, String account) throws SQLException {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, postgres.user, postgres.password);
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, account);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }
    }
}
