package dev.billing.ledger;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The (model, hour) rollups of an account changed since the last flush, with their running totals:
 * kept in the account's own value so that further records of the same (model, hour) within a
 * flush interval neither read nor write {@code hourly-rollups}. {@link HourlyRollups} opens them
 * and, at the flush, stores them and empties this buffer. Part of keyed state, so exactly-once like
 * the rest.
 */
public final class OpenRollups {
    private final List<UsageRollup> rollups;

    OpenRollups() {
        this(new ArrayList<>());
    }

    public OpenRollups(List<UsageRollup> rollups) {
        this.rollups = rollups;
    }

    /** The open rollup of {@code model} in the hour starting at {@code hourStartMs}, or null. */
    UsageRollup find(long hourStartMs, String model) {
        for (UsageRollup open : rollups) {
            if (open.hourStartMs == hourStartMs && open.model.equals(model)) {
                return open;
            }
        }
        return null;
    }

    boolean contains(UsageRollup rollup) {
        for (UsageRollup open : rollups) {
            if (open == rollup) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return rollups.size();
    }

    public boolean isEmpty() {
        return rollups.isEmpty();
    }

    void add(UsageRollup rollup) {
        rollups.add(rollup);
    }

    /** In the order they opened (the serialized order). */
    public List<UsageRollup> all() {
        return Collections.unmodifiableList(rollups);
    }

    void clear() {
        rollups.clear();
    }
}
