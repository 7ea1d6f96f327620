package dev.billing.ledger;

import dev.billing.model.UsageRecord;
import org.apache.flink.api.common.state.MapState;

/**
 * An account's (model, UTC hour) rollups. Those changed since the last flush live in the account's
 * own value ({@link OpenRollups}), so further records of the same (model, hour) cost
 * no state access; a rollup is read from {@code hourly-rollups} once when it opens and written back
 * at the flush, which also emits its row.
 */
final class HourlyRollups {
    private static final long HOUR_MS = 3_600_000L;
    /** Open rollups an account's value holds at most; more are written out early. */
    static final int MAX_OPEN = 16;

    private final MapState<String, UsageRollup> rollups;

    HourlyRollups(MapState<String, UsageRollup> rollups) {
        this.rollups = rollups;
    }

    /**
     * The rollup a record adds to: an open one (no state access), else the stored one, read once,
     * else a new empty one. It joins the open ones through {@link #open}.
     */
    UsageRollup find(AccountState state, UsageRecord usage) throws Exception {
        long hour = Math.floorDiv(usage.completedAtMs, HOUR_MS) * HOUR_MS;
        UsageRollup open = state.openRollups().find(hour, usage.model);
        if (open != null) {
            return open;
        }
        UsageRollup stored = rollups.get(key(hour, usage.model));
        return stored != null ? stored : UsageRollup.empty(usage.model, hour);
    }

    /** Makes {@code rollup} one of the open ones; false when {@link #MAX_OPEN} are open and must be written out first. */
    boolean open(AccountState state, UsageRollup rollup) {
        if (state.openRollups().contains(rollup)) {
            return true;
        }
        if (state.openRollups().size() >= MAX_OPEN) {
            return false;
        }
        state.openRollups().add(rollup);
        state.bookkeeping().rollupStored(rollup.hourStartMs);
        return true;
    }

    /** Stores the open rollups, empties the list; the caller emits their rows. */
    void close(AccountState state) throws Exception {
        for (UsageRollup rollup : state.openRollups().all()) {
            rollups.put(key(rollup.hourStartMs, rollup.model), rollup);
        }
        state.openRollups().clear();
    }

    /** Drops the hours no acceptable record can land in; scans only when the oldest is past {@code horizonMs}. */
    void expire(AccountState state, long horizonMs) throws Exception {
        long oldest = state.bookkeeping().oldestRollupHourMs();
        if (horizonMs == Long.MIN_VALUE || oldest == Long.MAX_VALUE || oldest + HOUR_MS > horizonMs) {
            return;
        }
        // an hour is final once it ends at or before the horizon
        state.bookkeeping().rollupsExpired(StateExpiry.removeBefore(rollups.iterator(), e -> e.getValue().hourStartMs,
                horizonMs - HOUR_MS + 1));
    }

    private static String key(long hourStartMs, String model) {
        return hourStartMs + "/" + model;
    }
}
