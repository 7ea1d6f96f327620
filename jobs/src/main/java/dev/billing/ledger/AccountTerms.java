package dev.billing.ledger;

import java.math.BigDecimal;

/**
 * What the customer (or their contract) set for an account: the monthly hard limit, the spend-alert
 * thresholds, the volume discount tiers and the auto top-up. Only {@code LIMITS_SET},
 * {@code VOLUME_DISCOUNTS_SET} and {@code AUTO_TOPUP_SET} change them, each replacing its part.
 */
public final class AccountTerms {
    /** Monthly hard limit on charged spend, or null for none. */
    private BigDecimal monthlyHardLimitUsd;
    /** Spend-alert thresholds, ascending. */
    private BigDecimal[] alertThresholdsUsd;
    /** Volume discount tiers on monthly list spend: from each amount on, its percent off. */
    private BigDecimal[] discountAboveUsd;
    private BigDecimal[] discountPercent;
    /** Auto top-up: a payment is requested when the balance falls below this; null when off. */
    private BigDecimal autoTopUpBelowUsd;
    /** Auto top-up: what each request buys; null when off. */
    private BigDecimal autoTopUpAmountUsd;

    /** Nothing set: only for the empty {@link AccountState} Flink asks for ({@code createInstance}); a read state is built whole. */
    AccountTerms() {}

    public AccountTerms(BigDecimal monthlyHardLimitUsd, BigDecimal[] alertThresholdsUsd, BigDecimal[] discountAboveUsd,
            BigDecimal[] discountPercent, BigDecimal autoTopUpBelowUsd, BigDecimal autoTopUpAmountUsd) {
        this.monthlyHardLimitUsd = monthlyHardLimitUsd;
        this.alertThresholdsUsd = alertThresholdsUsd;
        this.discountAboveUsd = discountAboveUsd;
        this.discountPercent = discountPercent;
        this.autoTopUpBelowUsd = autoTopUpBelowUsd;
        this.autoTopUpAmountUsd = autoTopUpAmountUsd;
    }

    /** A new account's: no limit, no thresholds, no discounts, no auto top-up. */
    static AccountTerms none() {
        return new AccountTerms(null, new BigDecimal[0], new BigDecimal[0], new BigDecimal[0], null, null);
    }

    public BigDecimal monthlyHardLimitUsd() {
        return monthlyHardLimitUsd;
    }

    public BigDecimal[] alertThresholdsUsd() {
        return alertThresholdsUsd;
    }

    public BigDecimal[] discountAboveUsd() {
        return discountAboveUsd;
    }

    public BigDecimal[] discountPercent() {
        return discountPercent;
    }

    public BigDecimal autoTopUpBelowUsd() {
        return autoTopUpBelowUsd;
    }

    public BigDecimal autoTopUpAmountUsd() {
        return autoTopUpAmountUsd;
    }

    /** LIMITS_SET replaces both. */
    void setLimits(BigDecimal monthlyHardLimitUsd, BigDecimal[] alertThresholdsUsd) {
        this.monthlyHardLimitUsd = monthlyHardLimitUsd;
        this.alertThresholdsUsd = alertThresholdsUsd;
    }

    void setVolumeDiscounts(BigDecimal[] aboveUsd, BigDecimal[] percent) {
        this.discountAboveUsd = aboveUsd;
        this.discountPercent = percent;
    }

    /** Both null: off. */
    void setAutoTopUp(BigDecimal belowUsd, BigDecimal amountUsd) {
        this.autoTopUpBelowUsd = belowUsd;
        this.autoTopUpAmountUsd = amountUsd;
    }
}
