package dev.billing.serde;

import dev.billing.ledger.UsageHourlyRow;
import dev.billing.ledger.UsageRollup;
import dev.billing.model.AccountBalanceRow;
import java.math.BigDecimal;

/** Rows an upsert sink holds in its writer state, every field set: money beyond a long, a null limit, a negative balance. */
final class RowSamples {
    private RowSamples() {}

    static AccountBalanceRow balanceRow() {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = "acct-ü-1";
        row.creditsUsd = new BigDecimal("1000000000.000001");
        row.spendUsd = new BigDecimal("12345678901234567890.123456789012345678"); // beyond a long
        row.balanceUsd = new BigDecimal("-0.50");
        row.status = "BLOCKED";
        row.monthSpendUsd = new BigDecimal("5.00");
        row.spendMonthStartMs = 1_764_547_200_000L;
        row.monthlyHardLimitUsd = null;
        row.alertThresholdsUsd = new BigDecimal[] {new BigDecimal("10.00"), new BigDecimal("50")};
        row.freeCreditsLeftUsd = BigDecimal.ZERO;
        row.updatedAtMs = 1_764_550_000_123L;
        row.version = 42;
        return row;
    }

    static UsageHourlyRow hourlyRow() {
        UsageRollup totals = new UsageRollup();
        totals.model = "deepseek-v3";
        totals.hourStartMs = 1_764_547_200_000L;
        totals.requests = 7;
        totals.promptTokens = 14_000_007;
        totals.completionTokens = 3;
        totals.costUsd = new BigDecimal("3.500001750000000000");
        totals.listCostUsd = new BigDecimal("3.50000175");
        return new UsageHourlyRow("acct-1", totals, 9);
    }
}
