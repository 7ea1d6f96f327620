package dev.billing.ledger;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;

/**
 * The request and event ids an account has accepted, each with the input time of its latest
 * sighting, to drop resends. A resend moves its id's time forward when it is stamped later than
 * any sighting before (an inference node that restamps its retries), so an id is remembered for the
 * billing window after its latest sighting. It is forgotten only once that time is outside the
 * window, where a resend stamped no later is rejected as TOO_LATE before it is looked up. The
 * bound: a resend is billed again only when its time is more than the window after every earlier
 * sighting of its id; whatever the downtime or backlog, a resend within the window is dropped. Forgetting scans the account's ids, so it runs only once the oldest of them
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

    /**
     * Whether the current account accepted {@code id} before (a new account has no ids in state); a
     * sighting later than the id's time moves it there, written with the bundle's other ids.
     */
    boolean seen(String id, long inputTimeMs, boolean newAccount) throws Exception {
        Long known = pending.get(id);
        if (known == null && !newAccount) {
            known = ids.get(id);
        }
        if (known == null) {
            return false;
        }
        if (inputTimeMs > known) {
            pending.put(id, inputTimeMs);
        }
        return true;
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
