package dev.billing.ledger;

import dev.billing.model.BlockReason;
import dev.billing.serde.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** The money and rules of one account, kept in keyed state, written by {@link AccountStateSerializer}: no Kryo, no reflection. */
@TypeInfo(AccountState.TypeInfoFactory.class)
public class AccountState {
    /** Flink uses the hand-written {@link AccountStateSerializer} for this class wherever it is state or a record. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<AccountState> {
        @Override
        public TypeInformation<AccountState> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(AccountState.class, AccountStateSerializer.INSTANCE);
        }
    }

    /** Free credits + purchases + adjustments. */
    public BigDecimal creditsUsd;
    /** Lifetime spend, as charged. */
    public BigDecimal spendUsd;
    /** The current UTC calendar month (see {@link dev.billing.model.UtcMonths}). */
    public int currentMonth;
    /** Spend in {@link #currentMonth}; older months are kept apart for late records. */
    public MonthSpend month;
    /**
     * The newest input time accepted ({@code completed_at} or {@code occurred_at}, capped at the
     * job's clock); the billing window is measured back from it, so downtime and backlogs do not
     * shorten the window.
     */
    public long newestMs;
    /** Bit set of the {@link BlockReason}s that hold; 0 is ACTIVE. */
    public int blockMask;
    /** The last version given to this account's status or rows (see {@link VersionClock}). */
    public long version;
    /** The run (task start) that gave {@link #version}; another value means state restored since. */
    public long versionRun;
    /** The clock reading when {@link #version} was given, to detect a restore onto a clock behind it. */
    public long versionClockMs;

    /** Monthly hard limit on charged spend, or null for none. */
    public BigDecimal monthlyHardLimitUsd;
    /** Spend-alert thresholds, ascending. */
    public BigDecimal[] alertThresholdsUsd;
    /** The highest threshold alerted in {@link #alertedMonth}. */
    public BigDecimal alertedUpToUsd;
    public int alertedMonth;
    /** The last purchase (or the free credits), the base of the low-balance alert. */
    public BigDecimal lastTopUpUsd;
    /** Counts top-ups, so each low-balance alert has its own id. */
    public int topUps;
    public boolean lowBalanceAlerted;
    /** Volume discount tiers on monthly list spend. */
    public BigDecimal[] discountAboveUsd;
    public BigDecimal[] discountPercent;

    /** Auto top-up: a payment is requested when the balance falls below this; null when off. */
    public BigDecimal autoTopUpBelowUsd;
    /** Auto top-up: what each request buys; null when off. */
    public BigDecimal autoTopUpAmountUsd;
    /** A request went out for the current crossing; cleared once the balance is above the level again. */
    public boolean autoTopUpRequested;
    /** Counts the account's payment requests, so each has its own id. */
    public int autoTopUpRequests;

    /** Processing time of the pending month-rollover timer (only while a monthly limit blocks), 0 when none. */
    public long rolloverAtMs;

    /**
     * The (model, hour) rollups changed since the last flush, with their running totals: kept in
     * the account's own value so that further records of the same (model, hour) within a flush
     * interval neither read nor write {@code hourly-rollups}. The flush writes them there and
     * empties the list. Part of keyed state, so exactly-once like the rest.
     */
    public List<UsageRollup> openRollups = new ArrayList<>();
    /** The oldest hour in {@code hourly-rollups}, {@link Long#MAX_VALUE} when there is none. */
    public long oldestRollupHourMs = Long.MAX_VALUE;
    /** The oldest month in {@code past-month-spend}, {@link Integer#MAX_VALUE} when there is none. */
    public int oldestPastMonth = Integer.MAX_VALUE;
    /** The oldest input time among the ids in {@code seen-ids}, {@link Long#MAX_VALUE} when there is none. */
    public long oldestSeenMs = Long.MAX_VALUE;
    /** Balance or month spend moved since the last status: the next flush publishes one. */
    public boolean statusBehind;

    public AccountState() {}

    static AccountState opened(BigDecimal freeCreditsUsd, int month) {
        AccountState s = new AccountState();
        s.creditsUsd = freeCreditsUsd;
        s.spendUsd = BigDecimal.ZERO;
        s.currentMonth = month;
        s.month = MonthSpend.zero();
        s.newestMs = Long.MIN_VALUE;
        s.lastTopUpUsd = freeCreditsUsd;
        s.alertThresholdsUsd = new BigDecimal[0];
        s.discountAboveUsd = new BigDecimal[0];
        s.discountPercent = new BigDecimal[0];
        return s;
    }

    BigDecimal balanceUsd() {
        return creditsUsd.subtract(spendUsd);
    }

    /**
     * The oldest input time still accepted: {@code windowMs} behind the newest input, or no bound
     * before the first.
     */
    long oldestAcceptedMs(long windowMs) {
        return newestMs == Long.MIN_VALUE ? Long.MIN_VALUE : newestMs - windowMs;
    }

    /** Moves the newest input time; a time ahead of the clock counts as the clock. */
    void accepted(long inputTimeMs, long nowMs) {
        newestMs = Math.max(newestMs, Math.min(inputTimeMs, nowMs));
    }

    void topUp(BigDecimal amountUsd) {
        creditsUsd = creditsUsd.add(amountUsd);
        lastTopUpUsd = amountUsd;
        topUps++;
        lowBalanceAlerted = false;
    }

    /** The reasons to block that hold now. */
    int evaluateBlockMask() {
        int mask = 0;
        if (balanceUsd().signum() <= 0) {
            mask |= BlockReason.BALANCE_EXHAUSTED.bit();
        }
        if (monthlyHardLimitUsd != null && month.chargedUsd.compareTo(monthlyHardLimitUsd) >= 0) {
            mask |= BlockReason.MONTHLY_LIMIT.bit();
        }
        return mask;
    }
}
