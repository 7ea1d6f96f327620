package dev.billing.ledger;

import java.math.BigDecimal;

/**
 * Which alerts and payment requests have gone out for an account, so that none goes twice: kept in
 * state, checkpointed with the transaction that publishes them, so a replay neither repeats nor
 * loses one. {@link SpendAlerts} and {@link AutoTopUp} decide; this only remembers.
 */
public final class SentSignals {
    /** The highest spend threshold alerted in {@link #alertedMonth}. */
    private BigDecimal alertedUpToUsd;
    private int alertedMonth;
    /** A low-balance alert went out since the last top-up. */
    private boolean lowBalanceAlerted;
    /** A payment request went out for the current crossing of the auto top-up level. */
    private boolean topUpRequested;
    /** Counts the account's payment requests, so each has its own id. */
    private int topUpRequests;

    SentSignals() {}

    public SentSignals(BigDecimal alertedUpToUsd, int alertedMonth, boolean lowBalanceAlerted, boolean topUpRequested,
            int topUpRequests) {
        this.alertedUpToUsd = alertedUpToUsd;
        this.alertedMonth = alertedMonth;
        this.lowBalanceAlerted = lowBalanceAlerted;
        this.topUpRequested = topUpRequested;
        this.topUpRequests = topUpRequests;
    }

    /** The highest threshold alerted in {@code month}, or null when none was. */
    BigDecimal thresholdAlertedIn(int month) {
        return alertedMonth == month ? alertedUpToUsd : null;
    }

    void thresholdAlerted(int month, BigDecimal thresholdUsd) {
        alertedMonth = month;
        alertedUpToUsd = thresholdUsd;
    }

    public boolean lowBalanceAlerted() {
        return lowBalanceAlerted;
    }

    void lowBalanceAlerted(boolean sent) {
        lowBalanceAlerted = sent;
    }

    public boolean topUpRequested() {
        return topUpRequested;
    }

    /** The balance is above the level again: the next crossing may request. */
    void topUpRearmed() {
        topUpRequested = false;
    }

    /** A request goes out for this crossing; returns its number, the last part of its id. */
    int topUpRequestSent() {
        topUpRequested = true;
        return ++topUpRequests;
    }

    // the serializer's view, in the format's terms

    public BigDecimal alertedUpToUsd() {
        return alertedUpToUsd;
    }

    public int alertedMonth() {
        return alertedMonth;
    }

    public int topUpRequests() {
        return topUpRequests;
    }
}
