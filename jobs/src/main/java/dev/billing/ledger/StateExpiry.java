package dev.billing.ledger;

import java.util.Iterator;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The one scan that drops an account's map-state entries the billing window has left behind. */
final class StateExpiry {
    /** What {@link #removeBefore} returns when nothing is left. */
    static final long NONE = Long.MAX_VALUE;

    private StateExpiry() {}

    /** Removes the entries whose time is before {@code before}; returns the oldest time kept, or {@link #NONE}. */
    static <K, V> long removeBefore(Iterator<Map.Entry<K, V>> entries, ToLongFunction<Map.Entry<K, V>> timeOf, long before) {
        long oldest = NONE;
        while (entries.hasNext()) {
            long time = timeOf.applyAsLong(entries.next());
            if (time < before) {
                entries.remove();
            } else {
                oldest = Math.min(oldest, time);
            }
        }
        return oldest;
    }
}
