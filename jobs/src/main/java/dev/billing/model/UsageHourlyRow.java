package dev.billing.model;

import java.math.BigDecimal;

/** The running totals of one (account, model, UTC hour): a row of {@code usage_hourly}. */
public class UsageHourlyRow {
    public String accountId;
    public String model;
    public long hourStartMs;
    public long requests;
    public long promptTokens;
    public long completionTokens;
    public BigDecimal costUsd;

    public UsageHourlyRow() {}

    @Override
    public String toString() {
        return accountId + "/" + model + "/" + hourStartMs + " requests=" + requests + " cost=" + costUsd;
    }
}
