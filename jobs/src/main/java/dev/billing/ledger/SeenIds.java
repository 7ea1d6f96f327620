package dev.billing.ledger;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;

/**
 * The request and event ids an account has accepted, each with its input time, to drop resends.
 * An id is forgotten only once its input time is outside the billing window, where a resend of it
 * is rejected as TOO_LATE before it is looked up: so a resend is never billed twice, whatever the
 * downtime or backlog. Forgetting scans the account's ids, so it runs only once the oldest of them
 * is a slack behind the window, which keeps the scans to a few per id over its life.
 *
 * <p>One state access per input: a lookup; the ids accepted in an account's bundle wait in heap
 * (where a duplicate inside the bundle is found) and are written with one {@code putAll} when the
 * account's bundle ends ({@link #store}).
 */
final class SeenIds {
    private final MapState<String, Long> ids;
    private final Map<String, Long> pending = new HashMap<>();

    SeenIds(MapState<String, Long> ids) {
        this.ids = ids;
    }

    static String ofRequest(String requestId) {
        return "r:" + requestId;
    }

    static String ofEvent(String eventId) {
        return "e:" + eventId;
    }

    /** Whether the current account accepted {@code id} before; a new account has no ids in state. */
    boolean contains(String id, boolean newAccount) throws Exception {
        return pending.containsKey(id) || (!newAccount && ids.contains(id));
    }

    void remember(AccountState state, String id, long inputTimeMs) {
        pending.put(id, inputTimeMs);
        state.bookkeeping().idRemembered(inputTimeMs);
    }

    /** Writes the ids remembered since the last call to the current account's state. */
    void store() throws Exception {
        if (!pending.isEmpty()) {
            ids.putAll(pending);
            pending.clear();
        }
    }

    /** Forgets the ids older than {@code oldestAcceptedMs}, once the oldest is {@code slackMs} older than that. */
    void expire(AccountState state, long oldestAcceptedMs, long slackMs) throws Exception {
        if (oldestAcceptedMs == Long.MIN_VALUE || state.bookkeeping().oldestSeenMs() >= oldestAcceptedMs - slackMs) {
            return;
        }
        state.bookkeeping().idsExpired(StateExpiry.removeBefore(ids.iterator(), Map.Entry::getValue, oldestAcceptedMs));
    }
}
