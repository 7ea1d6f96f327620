package dev.billing.ledger;

import dev.billing.model.BlockReason;
import java.math.BigDecimal;
import java.time.LocalDate;

/** The money of one account, kept in keyed state. A Flink POJO: no Kryo. */
public class AccountState {
    /** Free credits + purchases + adjustments. */
    public BigDecimal creditsUsd;
    /** Lifetime spend. */
    public BigDecimal spendUsd;
    /** The calendar month (UTC, year * 12 + month - 1) of the account's newest record. */
    public int currentMonth;
    /** Spend in {@link #currentMonth}. */
    public BigDecimal monthSpendUsd;
    /** The newest {@code completed_at} billed; the late-record horizon is measured from it. */
    public long maxCompletedAtMs;
    /** Bit set of the {@link BlockReason}s that hold; 0 is ACTIVE. */
    public int blockMask;
    /** Version of the last published status. */
    public long statusVersion;
    /** Monthly hard limit, or null when none (enforced per the monthly-limit rules). */
    public BigDecimal monthlyHardLimitUsd;
    /** Processing time of the pending flush timer, 0 when none is pending. */
    public long flushAtMs;

    public AccountState() {}

    static AccountState opened(BigDecimal freeCreditsUsd) {
        AccountState s = new AccountState();
        s.creditsUsd = freeCreditsUsd;
        s.spendUsd = BigDecimal.ZERO;
        s.monthSpendUsd = BigDecimal.ZERO;
        s.maxCompletedAtMs = Long.MIN_VALUE;
        return s;
    }

    /**
     * The oldest {@code completed_at} still billable: {@code horizonMs} behind the newest record,
     * or no bound while the account has no usage.
     */
    long oldestBillableMs(long horizonMs) {
        return maxCompletedAtMs == Long.MIN_VALUE ? Long.MIN_VALUE : maxCompletedAtMs - horizonMs;
    }

    BigDecimal balanceUsd() {
        return creditsUsd.subtract(spendUsd);
    }

    void credit(BigDecimal amountUsd) {
        creditsUsd = creditsUsd.add(amountUsd);
    }

    /** Adds a billed cost: to lifetime spend, and to month spend unless it belongs to an older month. */
    void charge(BigDecimal costUsd, long completedAtMs) {
        spendUsd = spendUsd.add(costUsd);
        int month = monthOf(completedAtMs);
        if (month > currentMonth) {
            currentMonth = month;
            monthSpendUsd = costUsd;
        } else if (month == currentMonth) {
            monthSpendUsd = monthSpendUsd.add(costUsd);
        }
        maxCompletedAtMs = Math.max(maxCompletedAtMs, completedAtMs);
    }

    /** The reasons to block that hold now. */
    int evaluateBlockMask() {
        int mask = 0;
        if (balanceUsd().signum() <= 0) {
            mask |= BlockReason.BALANCE_EXHAUSTED.bit();
        }
        return mask;
    }

    static int monthOf(long epochMs) {
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(epochMs, 86_400_000L));
        return day.getYear() * 12 + day.getMonthValue() - 1;
    }
}
