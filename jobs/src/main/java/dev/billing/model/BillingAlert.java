package dev.billing.model;

import java.math.BigDecimal;

/** A notification for the account holder, published to {@code billing-alerts}. */
public class BillingAlert {
    public static final String SPEND_THRESHOLD = "SPEND_THRESHOLD";
    public static final String LOW_BALANCE = "LOW_BALANCE";

    /** Deterministic, so a consumer notifies once per id whatever the delivery. */
    public String alertId;
    public String accountId;
    public String type;
    public BigDecimal thresholdUsd;
    /** UTC calendar month of the spend, YYYY-MM. */
    public String month;
    public BigDecimal monthSpendUsd;
    public BigDecimal balanceUsd;
    public long occurredAtMs;

    public BillingAlert() {}

    @Override
    public String toString() {
        return alertId;
    }
}
