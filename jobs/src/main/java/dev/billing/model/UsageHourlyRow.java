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
    /** As charged, after volume discounts. */
    public BigDecimal costUsd;
    /** At list (or override) prices. */
    public BigDecimal listCostUsd;
    /** The account's version when the row was made; an upsert never replaces a newer row. */
    public long version;

    public UsageHourlyRow() {}

    @Override
    public String toString() {
        return accountId + "/" + model + "/" + hourStartMs + " requests=" + requests + " cost=" + costUsd;
    }
}
