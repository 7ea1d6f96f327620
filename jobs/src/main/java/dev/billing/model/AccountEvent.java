package dev.billing.model;

import java.math.BigDecimal;

/** A change to an account from the dashboard or payments, as read from {@code account-events}. */
public class AccountEvent {
    public String eventId;
    public String accountId;
    public AccountEventType type;
    public long occurredAtMs;
    /**
     * CREDITS_PURCHASED (positive) and CREDITS_ADJUSTED (signed); AUTO_TOPUP_SET: what each top-up
     * buys, null when auto top-up is switched off.
     */
    public BigDecimal amountUsd;
    /** AUTO_TOPUP_SET: a top-up is requested when the balance falls below this; null switches it off. */
    public BigDecimal belowUsd;
    /** LIMITS_SET: the monthly hard limit, or null to clear it. */
    public BigDecimal monthlyHardLimitUsd;
    /** LIMITS_SET: spend-alert thresholds, ascending; empty when none. */
    public BigDecimal[] alertThresholdsUsd;
    /** VOLUME_DISCOUNTS_SET: tier boundaries on monthly list spend, ascending; empty clears. */
    public BigDecimal[] discountAboveUsd;
    /** VOLUME_DISCOUNTS_SET: percent off above each boundary, aligned with {@link #discountAboveUsd}. */
    public BigDecimal[] discountPercent;
    public SourceRecord source;

    public AccountEvent() {}

    public AccountEvent(String eventId, String accountId, AccountEventType type, long occurredAtMs) {
        this.eventId = eventId;
        this.accountId = accountId;
        this.type = type;
        this.occurredAtMs = occurredAtMs;
    }
}
