package dev.billing.model;

/** The event types accepted on {@code account-events}; anything else is dead-lettered. */
public enum AccountEventType {
    ACCOUNT_OPENED,
    CREDITS_PURCHASED,
    CREDITS_ADJUSTED,
    LIMITS_SET,
    VOLUME_DISCOUNTS_SET,
    AUTO_TOPUP_SET
}
