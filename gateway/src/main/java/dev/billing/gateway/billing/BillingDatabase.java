package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.DatabasePool;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the billing API reads from the billing job's PostgreSQL tables: an account's balance row
 * ({@code account_balance_now}) and its usage rolled up per period and model ({@code usage_hourly}).
 * The reads share a small pool ({@link #POOL_SIZE} connections, {@link #TIMEOUT} to get one and
 * for one query): every open billing page polls the balance twice a second against the database
 * the job writes to, so the page's load on it stays bounded however many pages are open, and a
 * slow database answers 503 instead of holding the gateway's threads.
 */
final class BillingDatabase implements AutoCloseable {
    static final int POOL_SIZE = 4;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BALANCE = "SELECT credits_usd, spend_usd, balance_usd, status, month_spend_usd,"
            + " monthly_hard_limit_usd, alert_thresholds_usd::text, free_credits_left_usd, updated_at, version"
            + " FROM account_balance_now WHERE account_id = ?";
    // hour is a timestamptz: truncated in UTC, whatever the session's time zone
    private static final String USAGE = "SELECT date_trunc(?, hour AT TIME ZONE 'UTC') AS period, model,"
            + " sum(requests), sum(prompt_tokens), sum(completion_tokens), sum(list_cost_usd), sum(cost_usd)"
            + " FROM usage_hourly WHERE account_id = ? AND hour >= ? AND hour < ?"
            + " GROUP BY 1, 2 ORDER BY 1, 2";

    /** One period and model of {@code GET /v1/billing/usage}. */
    record UsageLine(LocalDateTime periodStartUtc, String model, long requests, long promptTokens,
            long completionTokens, BigDecimal listCostUsd, BigDecimal costUsd) {}

    private final DataSource database;
    private final HikariDataSource owned;

    /** On a pool of its own, closed with it. */
    static BillingDatabase pooled(DatabaseOptions database) {
        HikariDataSource pool = DatabasePool.open(database, "billing-api", POOL_SIZE, 1, TIMEOUT);
        return new BillingDatabase(pool, pool);
    }

    /** @param owned the pool closed with it, or null */
    BillingDatabase(DataSource database, HikariDataSource owned) {
        this.database = database;
        this.owned = owned;
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }

    /** The account's balance row, or null when the job has written none yet. */
    BalanceRow balance(String accountId) throws SQLException {
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(BALANCE)) {
            s.setString(1, accountId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new BalanceRow(accountId, rs.getBigDecimal(1), rs.getBigDecimal(2), rs.getBigDecimal(3),
                        rs.getString(4), rs.getBigDecimal(5), rs.getBigDecimal(6), decimals(rs.getString(7)),
                        rs.getBigDecimal(8), rs.getTimestamp(9).toInstant(), rs.getLong(10));
            }
        }
    }

    List<UsageLine> usage(String accountId, UsageQuery query) throws SQLException {
        List<UsageLine> out = new ArrayList<>();
        try (Connection c = database.getConnection(); PreparedStatement s = c.prepareStatement(USAGE)) {
            s.setString(1, query.granularity().field());
            s.setString(2, accountId);
            s.setObject(3, OffsetDateTime.ofInstant(query.from(), ZoneOffset.UTC));
            s.setObject(4, OffsetDateTime.ofInstant(query.to(), ZoneOffset.UTC));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new UsageLine(rs.getObject(1, LocalDateTime.class), rs.getString(2), rs.getLong(3),
                            rs.getLong(4), rs.getLong(5), rs.getBigDecimal(6), rs.getBigDecimal(7)));
                }
            }
        }
        return out;
    }

    /** A JSON array of decimal strings, as the job writes alert_thresholds_usd. */
    private static List<BigDecimal> decimals(String json) throws SQLException {
        List<BigDecimal> out = new ArrayList<>();
        if (json == null) {
            return out;
        }
        try {
            for (JsonNode n : JSON.readTree(json)) {
                out.add(new BigDecimal(n.asText()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new SQLException("account_balance.alert_thresholds_usd is not an array of decimal strings: " + json, e);
        }
        return out;
    }

    static java.time.Instant utc(LocalDateTime periodStart) {
        return periodStart.toInstant(ZoneOffset.UTC);
    }
}
