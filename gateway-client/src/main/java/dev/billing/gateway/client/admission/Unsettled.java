package dev.billing.gateway.client.admission;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * This replica's requests whose usage is written but whose hold is not settled yet, per account.
 * Until a request's usage is acknowledged, its hold is its worst case; a balance published in the
 * meantime may already include its cost, and then the account's available balance counts it
 * twice for a moment. A refusal while the account has such requests is therefore tried once more
 * after they have settled.
 */
final class Unsettled {
    private final Map<String, String> accountOf = new HashMap<>();
    private final Map<String, Integer> byAccount = new HashMap<>();

    synchronized void completed(String requestId, String accountId) {
        if (accountOf.put(requestId, accountId) == null) {
            byAccount.merge(accountId, 1, Integer::sum);
        }
    }

    /** The request's hold is settled (or will not be by this process: a record of a previous one). */
    synchronized void settled(String requestId) {
        String accountId = accountOf.remove(requestId);
        if (accountId != null && byAccount.merge(accountId, -1, Integer::sum) <= 0) {
            byAccount.remove(accountId);
        }
        notifyAll();
    }

    /** Waits until the account has none, at most {@code timeout}; true when it had some and now has none. */
    synchronized boolean awaitSettled(String accountId, Duration timeout) throws InterruptedException {
        if (!byAccount.containsKey(accountId)) {
            return false;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (byAccount.containsKey(accountId)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
