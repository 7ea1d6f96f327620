package dev.billing.gateway.client.admission;

import dev.billing.gateway.client.UsagePosition;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link Reservations} in this process's memory: exact for a gateway that is the account's only
 * replica (and for tests), with the same rules as {@link PostgresReservations} but no expiry and
 * nothing kept across a restart. Replicas that each hold their own know nothing of each other's
 * requests in progress: use {@link PostgresReservations} for more than one.
 *
 * <p>Holds are kept by account, so that a request looks only at its own account's holds: an
 * account with many requests in flight, or many settled but not yet in a published balance, does
 * not slow down any other account's admission.
 */
public final class InMemoryReservations implements Reservations {
    private record Hold(String accountId, BigDecimal amountUsd, UsagePosition position) {}

    private final Map<String, PublishedBalance> newest = new HashMap<>();
    /** account -> (request id -> hold) */
    private final Map<String, Map<String, Hold>> holdsByAccount = new HashMap<>();
    /** request id -> its account, to release or replace a hold by id */
    private final Map<String, String> accountOf = new HashMap<>();

    @Override
    public synchronized Outcome reserve(String id, String accountId, String gatewayId, BigDecimal amountUsd,
            PublishedBalance published) {
        PublishedBalance balance = newest.merge(accountId, published, (kept, b) -> b.replaces(kept) ? b : kept);
        BigDecimal held = BigDecimal.ZERO;
        Map<String, Hold> holds = holdsByAccount.get(accountId);
        if (holds != null) {
            holds.entrySet().removeIf(e -> covered(balance, e.getValue()) && accountOf.remove(e.getKey()) != null);
            for (Hold h : holds.values()) {
                held = held.add(h.amountUsd);
            }
            if (holds.isEmpty()) {
                holdsByAccount.remove(accountId);
            }
        }
        BigDecimal available = balance.balanceUsd().subtract(held);
        boolean fits = available.compareTo(amountUsd) >= 0;
        if (fits) {
            put(id, new Hold(accountId, amountUsd, null));
        }
        return new Outcome(fits, available);
    }

    private static boolean covered(PublishedBalance balance, Hold h) {
        return h.position != null && balance.position() != null && balance.position().covers(h.position);
    }

    @Override
    public synchronized void settle(String gatewayId, Collection<Settlement> settlements) {
        for (Settlement settled : settlements) {
            put(settled.requestId(), new Hold(settled.accountId(), settled.costUsd(), settled.position()));
        }
    }

    @Override
    public synchronized void release(String id) {
        remove(id);
    }

    @Override
    public synchronized void reclaim(String gatewayId, Collection<Undelivered> undelivered) {
        for (Map<String, Hold> holds : holdsByAccount.values()) {
            holds.entrySet().removeIf(e -> e.getValue().position == null && accountOf.remove(e.getKey()) != null);
        }
        holdsByAccount.values().removeIf(Map::isEmpty);
        undelivered.forEach(u -> put(u.requestId(), new Hold(u.accountId(), u.costUsd(), null)));
    }

    /** A hold under {@code id}, replacing the one it had, in whichever account that was. */
    private void put(String id, Hold hold) {
        remove(id);
        holdsByAccount.computeIfAbsent(hold.accountId, a -> new HashMap<>()).put(id, hold);
        accountOf.put(id, hold.accountId);
    }

    private void remove(String id) {
        String account = accountOf.remove(id);
        if (account == null) {
            return;
        }
        Map<String, Hold> holds = holdsByAccount.get(account);
        holds.remove(id);
        if (holds.isEmpty()) {
            holdsByAccount.remove(account);
        }
    }

    @Override
    public void close() {}
}
