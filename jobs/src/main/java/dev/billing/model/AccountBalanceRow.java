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
    public long updatedAtMs;

    public AccountBalanceRow() {}
}
