package dev.billing.output;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.Money;
import dev.billing.ledger.UsageHourlyRow;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import dev.billing.output.UpsertTable.Column;
import dev.billing.serde.AccountBalanceRowFormat;
import dev.billing.serde.UsageHourlyRowFormat;

/**
 * Upserts of rollup and balance rows: per table, its columns, its key and its version column. Each row carries whole totals taken from the ledger's checkpointed state, never increments,
 * so the at-least-once {@link PostgresUpsertSink} is enough for exact results: the rows still owed
 * at a checkpoint are in it, and after a restore the job replays from it and rewrites the same totals. A row PostgreSQL refuses goes to
 * billing_quarantine instead of stopping the job.
 */
public final class PostgresSinks {
    /** Where and how to write. */
    public static final class Target implements Serializable {
        private static final long serialVersionUID = 1L;
        final String url;
        final String user;
        final String password;
        final int batchSize;
        final Duration batchInterval;
        /** The longest a statement, or its wait for a lock, may take before it is retried. */
        final Duration writeTimeout;
        /** At the end of a bounded input: how long PostgreSQL may take no rows before the run fails. */
        final Duration drainTimeout;

        public Target(String url, String user, String password, int batchSize, Duration batchInterval) {
            this(url, user, password, batchSize, batchInterval, DEFAULT_WRITE_TIMEOUT, DEFAULT_DRAIN_TIMEOUT);
        }

        public Target(String url, String user, String password, int batchSize, Duration batchInterval,
                Duration writeTimeout, Duration drainTimeout) {
            this.url = url;
            this.user = user;
            this.password = password;
            this.batchSize = batchSize;
            this.batchInterval = batchInterval;
            this.writeTimeout = writeTimeout;
            this.drainTimeout = drainTimeout;
        }
    }

    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(5);

    private PostgresSinks() {}

    /** usage_hourly: one row per (account, model, UTC hour). */
    public static final UpsertTable<UsageHourlyRow> USAGE_HOURLY = new UpsertTable<>("usage_hourly",
            List.of("account_id", "model", "hour"), List.of(
                    Column.of("account_id", "text", row -> row.accountId),
                    Column.of("model", "text", row -> row.totals.model),
                    Column.of("hour", "timestamptz", row -> Instant.ofEpochMilli(row.totals.hourStartMs).toString()),
                    Column.of("requests", "bigint", row -> Long.toString(row.totals.requests)),
                    Column.of("prompt_tokens", "bigint", row -> Long.toString(row.totals.promptTokens)),
                    Column.of("completion_tokens", "bigint", row -> Long.toString(row.totals.completionTokens)),
                    Column.of("cost_usd", "numeric", row -> Money.toColumn(row.totals.costUsd).toPlainString()),
                    Column.of("list_cost_usd", "numeric", row -> Money.toColumn(row.totals.listCostUsd).toPlainString()),
                    Column.computed("updated_at", "now()"),
                    Column.of("version", "bigint", row -> Long.toString(row.version))),
            "version", row -> List.of(row.accountId, row.totals.model, Instant.ofEpochMilli(row.totals.hourStartMs)),
            row -> row.version);

    /** account_balance: one row per account. */
    public static final UpsertTable<AccountBalanceRow> ACCOUNT_BALANCE = new UpsertTable<>("account_balance",
            List.of("account_id"), List.of(
                    Column.of("account_id", "text", row -> row.accountId),
                    Column.of("credits_usd", "numeric", row -> Money.toColumn(row.creditsUsd).toPlainString()),
                    Column.of("spend_usd", "numeric", row -> Money.toColumn(row.spendUsd).toPlainString()),
                    Column.of("balance_usd", "numeric", row -> Money.toColumn(row.balanceUsd).toPlainString()),
                    Column.of("status", "text", row -> row.status),
                    Column.of("month_spend_usd", "numeric", row -> Money.toColumn(row.monthSpendUsd).toPlainString()),
                    Column.of("spend_month", "date",
                            row -> LocalDate.ofInstant(Instant.ofEpochMilli(row.spendMonthStartMs), ZoneOffset.UTC).toString()),
                    Column.of("monthly_hard_limit_usd", "numeric", row -> plainOrNull(row.monthlyHardLimitUsd)),
                    Column.of("alert_thresholds_usd", "jsonb", row -> decimalStrings(row.alertThresholdsUsd)),
                    Column.of("free_credits_left_usd", "numeric", row -> plainOrNull(row.freeCreditsLeftUsd)),
                    Column.of("updated_at", "timestamptz", row -> Instant.ofEpochMilli(row.updatedAtMs).toString()),
                    Column.of("version", "bigint", row -> Long.toString(row.version))),
            "version", row -> List.of(row.accountId), row -> row.version);

    private static String plainOrNull(BigDecimal usd) {
        return usd == null ? null : Money.toColumn(usd).toPlainString();
    }

    /** A JSON array of decimal strings, {@code ["10.00","50.00"]}: exact, unlike JSON numbers in most readers. */
    private static String decimalStrings(BigDecimal[] usd) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; usd != null && i < usd.length; i++) {
            // plain decimals hold only digits, '-' and '.': nothing to escape
            json.append(i == 0 ? "\"" : ",\"").append(usd[i].toPlainString()).append('"');
        }
        return json.append(']').toString();
    }

    public static PostgresUpsertSink<UsageHourlyRow> usageHourly(Target target) {
        return new PostgresUpsertSink<>(USAGE_HOURLY, target, RetryPolicy.DEFAULT, UsageHourlyRowFormat.INSTANCE);
    }

    public static PostgresUpsertSink<AccountBalanceRow> accountBalance(Target target) {
        return new PostgresUpsertSink<>(ACCOUNT_BALANCE, target, RetryPolicy.DEFAULT, AccountBalanceRowFormat.INSTANCE);
    }
}
