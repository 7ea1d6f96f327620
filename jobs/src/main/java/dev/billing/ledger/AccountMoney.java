package dev.billing.ledger;

import java.math.BigDecimal;

/**
 * The money of one account: credits, lifetime spend, the current UTC month and its spend, and the
 * last top-up. Only charges, top-ups, adjustments and month turns move it. It stays in state as
 * long as the account does, which is forever: credits never expire.
 */
public final class AccountMoney {
    /** Free credits + purchases + adjustments. */
    private BigDecimal creditsUsd;
    /** Lifetime spend, as charged. */
    private BigDecimal spendUsd;
    /** The current UTC calendar month (see {@link dev.billing.model.UtcMonths}). */
    private int currentMonth;
    /** Spend in {@link #currentMonth}; older months are kept apart ({@link PastMonths}) for late records. */
    private MonthSpend month;
    /** The last purchase (or the free credits), the base of the low-balance alert. */
    private BigDecimal lastTopUpUsd;
    /** Counts top-ups, so each low-balance alert has its own id. */
    private int topUps;

    /** Nothing set: only for the empty {@link AccountState} Flink asks for ({@code createInstance}); a read state is built whole. */
    AccountMoney() {}

    public AccountMoney(BigDecimal creditsUsd, BigDecimal spendUsd, int currentMonth, MonthSpend month, BigDecimal lastTopUpUsd,
            int topUps) {
        this.creditsUsd = creditsUsd;
        this.spendUsd = spendUsd;
        this.currentMonth = currentMonth;
        this.month = month;
        this.lastTopUpUsd = lastTopUpUsd;
        this.topUps = topUps;
    }

    /** A new account: its free credits, nothing spent, in {@code month}. */
    static AccountMoney opened(BigDecimal freeCreditsUsd, int month) {
        return new AccountMoney(freeCreditsUsd, BigDecimal.ZERO, month, MonthSpend.zero(), freeCreditsUsd, 0);
    }

    public BigDecimal creditsUsd() {
        return creditsUsd;
    }

    public BigDecimal spendUsd() {
        return spendUsd;
    }

    public BigDecimal balanceUsd() {
        return creditsUsd.subtract(spendUsd);
    }

    public int currentMonth() {
        return currentMonth;
    }

    /** The current month's spend; a charge adds to it through {@link MonthSpend#add}. */
    public MonthSpend month() {
        return month;
    }

    public BigDecimal lastTopUpUsd() {
        return lastTopUpUsd;
    }

    public int topUps() {
        return topUps;
    }

    /** A purchase: credits, and the new base of the low-balance alert. */
    void topUp(BigDecimal amountUsd) {
        creditsUsd = creditsUsd.add(amountUsd);
        lastTopUpUsd = amountUsd;
        topUps++;
    }

    /** A signed adjustment of the credits (not a top-up: the low-balance base stays). */
    void adjust(BigDecimal amountUsd) {
        creditsUsd = creditsUsd.add(amountUsd);
    }

    /** Adds a charge to the lifetime spend (its month's spend is added by the caller, who knows the month). */
    void charge(BigDecimal chargedUsd) {
        spendUsd = spendUsd.add(chargedUsd);
    }

    /** Moves into {@code newMonth} with {@code spent} in it so far; returns the spend of the month it left. */
    MonthSpend turnTo(int newMonth, MonthSpend spent) {
        MonthSpend ended = month;
        currentMonth = newMonth;
        month = spent;
        return ended;
    }
}
