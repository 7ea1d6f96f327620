package dev.billing.model;

import java.math.BigDecimal;

/** One account's money as a row of {@code account_balance}. */
public class AccountBalanceRow {
    public String accountId;
    public BigDecimal creditsUsd;
    public BigDecimal spendUsd;
    public BigDecimal balanceUsd;
    public String status;
    public BigDecimal monthSpendUsd;
    /** The UTC month {@link #monthSpendUsd} is the spend of (an idle account rolls over on its next input). */
    public long spendMonthStartMs;
    /** The monthly hard limit on charged spend, null for none. */
    public BigDecimal monthlyHardLimitUsd;
    /** Spend-alert thresholds, ascending; empty for none. */
    public BigDecimal[] alertThresholdsUsd;
    /** Free credits not spent yet (they are spent first); null where not known. */
    public BigDecimal freeCreditsLeftUsd;
    public long updatedAtMs;
    /** The account's version when the row was made; an upsert never replaces a newer row. */
    public long version;

    public AccountBalanceRow() {}
}
