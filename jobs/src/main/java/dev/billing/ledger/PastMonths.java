package dev.billing.ledger;

import dev.billing.model.UtcMonths;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;

/**
 * Spend of an account's months other than the current one that had usage, kept within the billing
 * window so a late record is charged in its own month (its limit, alerts and discount tiers); and
 * of the next month, when a record stamped ahead of the clock charged it before the clock got there.
 */
final class PastMonths {
    private final MapState<Integer, MonthSpend> months;

    PastMonths(MapState<Integer, MonthSpend> months) {
        this.months = months;
    }

    /** The spend of {@code month}: the account's current one, or a past one (zero if it had none). */
    MonthSpend of(AccountState state, int month) throws Exception {
        if (month == state.money().currentMonth()) {
            return state.money().month();
        }
        MonthSpend spend = months.get(month);
        return spend == null ? MonthSpend.zero() : spend;
    }

    /** Stores a changed past month (the current one lives in the account's value). */
    void store(AccountState state, int month, MonthSpend spend) throws Exception {
        if (month != state.money().currentMonth()) {
            put(state, month, spend);
        }
    }

    /**
     * Moves the account into {@code month} (the clock's) if it is newer, with what records stamped
     * ahead of the clock already spent in it; a month without usage leaves nothing behind.
     */
    void advance(AccountState state, int month) throws Exception {
        int current = state.money().currentMonth();
        if (month > current) {
            MonthSpend ahead = months.get(month);
            if (ahead != null) {
                months.remove(month);
            }
            MonthSpend ended = state.money().turnTo(month, ahead == null ? MonthSpend.zero() : ahead);
            if (ended.listUsd.signum() != 0) {
                put(state, current, ended);
            }
        }
    }

    /** Drops months wholly before {@code horizonMs}; scans only when the oldest is. */
    void expire(AccountState state, long horizonMs) throws Exception {
        if (horizonMs == Long.MIN_VALUE || state.bookkeeping().oldestPastMonth() >= UtcMonths.of(horizonMs)) {
            return;
        }
        long oldest = StateExpiry.removeBefore(months.iterator(), Map.Entry::getKey, UtcMonths.of(horizonMs));
        state.bookkeeping().pastMonthsExpired(oldest == StateExpiry.NONE ? Integer.MAX_VALUE : (int) oldest);
    }

    private void put(AccountState state, int month, MonthSpend spend) throws Exception {
        months.put(month, spend);
        state.bookkeeping().pastMonthStored(month);
    }
}
