package dev.billing.output;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.Money;
import dev.billing.model.UsageHourlyRow;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Upserts of rollup and balance rows: per table, its statement, how a row binds to it, and its
 * key. Each row carries whole totals taken from the ledger's checkpointed state, never increments,
 * so the at-least-once {@link PostgresUpsertSink} is enough for exact results: after a restore the
 * job replays from its checkpoint and rewrites the same totals. A row PostgreSQL refuses goes to
 * billing_quarantine instead of stopping the job.
 */
public final class PostgresSinks {
    static final String UPSERT_USAGE_HOURLY =
            "INSERT INTO usage_hourly (account_id, model, hour, requests, prompt_tokens, completion_tokens, cost_usd,"
                    + " list_cost_usd, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, now(), ?)"
                    + " ON CONFLICT (account_id, model, hour) DO UPDATE SET requests = EXCLUDED.requests,"
                    + " prompt_tokens = EXCLUDED.prompt_tokens, completion_tokens = EXCLUDED.completion_tokens,"
                    + " cost_usd = EXCLUDED.cost_usd, list_cost_usd = EXCLUDED.list_cost_usd, updated_at = EXCLUDED.updated_at,"
                    + " version = EXCLUDED.version WHERE usage_hourly.version < EXCLUDED.version";

    static final String UPSERT_ACCOUNT_BALANCE =
            "INSERT INTO account_balance (account_id, credits_usd, spend_usd, balance_usd, status, month_spend_usd,"
                    + " spend_month, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT (account_id) DO UPDATE SET credits_usd = EXCLUDED.credits_usd,"
                    + " spend_usd = EXCLUDED.spend_usd, balance_usd = EXCLUDED.balance_usd, status = EXCLUDED.status,"
                    + " month_spend_usd = EXCLUDED.month_spend_usd, spend_month = EXCLUDED.spend_month,"
                    + " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
                    + " WHERE account_balance.version < EXCLUDED.version";

    /** Where and how to write. */
    public static final class Target implements Serializable {
        private static final long serialVersionUID = 1L;
        final String url;
        final String user;
        final String password;
        final int batchSize;
        final Duration batchInterval;

        public Target(String url, String user, String password, int batchSize, Duration batchInterval) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.batchSize = batchSize;
            this.batchInterval = batchInterval;
        }
    }

    private PostgresSinks() {}

    /** usage_hourly: one row per (account, model, UTC hour). */
    static final UpsertTable<UsageHourlyRow> USAGE_HOURLY = new UpsertTable<>("usage_hourly",
            List.of("account_id", "model", "hour"), UPSERT_USAGE_HOURLY, (ps, row) -> {
                ps.setString(1, row.accountId);
                ps.setString(2, row.model);
                ps.setTimestamp(3, new Timestamp(row.hourStartMs));
                ps.setLong(4, row.requests);
                ps.setLong(5, row.promptTokens);
                ps.setLong(6, row.completionTokens);
                ps.setBigDecimal(7, Money.toColumn(row.costUsd));
                ps.setBigDecimal(8, Money.toColumn(row.listCostUsd));
                ps.setLong(9, row.version);
            }, row -> List.of(row.accountId, row.model, Instant.ofEpochMilli(row.hourStartMs)));

    /** account_balance: one row per account. */
    static final UpsertTable<AccountBalanceRow> ACCOUNT_BALANCE = new UpsertTable<>("account_balance",
            List.of("account_id"), UPSERT_ACCOUNT_BALANCE, (ps, row) -> {
                ps.setString(1, row.accountId);
                ps.setBigDecimal(2, Money.toColumn(row.creditsUsd));
                ps.setBigDecimal(3, Money.toColumn(row.spendUsd));
                ps.setBigDecimal(4, Money.toColumn(row.balanceUsd));
                ps.setString(5, row.status);
                ps.setBigDecimal(6, Money.toColumn(row.monthSpendUsd));
                ps.setObject(7, LocalDate.ofInstant(Instant.ofEpochMilli(row.spendMonthStartMs), ZoneOffset.UTC));
                ps.setTimestamp(8, new Timestamp(row.updatedAtMs));
                ps.setLong(9, row.version);
            }, row -> List.of(row.accountId));

    public static PostgresUpsertSink<UsageHourlyRow> usageHourly(Target target) {
        return new PostgresUpsertSink<>(USAGE_HOURLY, target, RetryPolicy.DEFAULT);
    }

    public static PostgresUpsertSink<AccountBalanceRow> accountBalance(Target target) {
        return new PostgresUpsertSink<>(ACCOUNT_BALANCE, target, RetryPolicy.DEFAULT);
    }
}
