package dev.billing.gateway.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An account's row of {@code account_balance_now}, as the billing job last flushed it.
 *
 * @param monthSpendUsd the spend of the current UTC month (zero when the row is of an older month)
 * @param monthlyHardLimitUsd null for no limit
 * @param freeCreditsLeftUsd null when the job that wrote the row did not know it
 */
record BalanceRow(String accountId, BigDecimal creditsUsd, BigDecimal spendUsd, BigDecimal balanceUsd, String status,
        BigDecimal monthSpendUsd, BigDecimal monthlyHardLimitUsd, List<BigDecimal> alertThresholdsUsd,
        BigDecimal freeCreditsLeftUsd, Instant updatedAt, long version) {}
