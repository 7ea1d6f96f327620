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
 */
public final class InMemoryReservations implements Reservations {
    private record Hold(String accountId, BigDecimal amountUsd, UsagePosition position) {}

    private final Map<String, PublishedBalance> newest = new HashMap<>();
    private final Map<String, Hold> holds = new HashMap<>();

    @Override
    public synchronized Outcome reserve(String id, String accountId, String gatewayId, BigDecimal amountUsd,
            PublishedBalance published) {
        PublishedBalance balance = newest.merge(accountId, published, (kept, b) -> b.replaces(kept) ? b : kept);
        holds.values().removeIf(h -> h.accountId.equals(accountId) && covered(balance, h));
        BigDecimal held = BigDecimal.ZERO;
        for (Hold h : holds.values()) {
            if (h.accountId.equals(accountId)) {
                held = held.add(h.amountUsd);
            }
        }
        BigDecimal available = balance.balanceUsd().subtract(held);
        boolean fits = available.compareTo(amountUsd) >= 0;
        if (fits) {
            holds.put(id, new Hold(accountId, amountUsd, null));
        }
        return new Outcome(fits, available);
    }

    private static boolean covered(PublishedBalance balance, Hold h) {
        return h.position != null && balance.position() != null && balance.position().covers(h.position);
    }

    @Override
    public synchronized void settle(String gatewayId, Collection<Settlement> settlements) {
        for (Settlement settled : settlements) {
            holds.put(settled.requestId(), new Hold(settled.accountId(), settled.costUsd(), settled.position()));
        }
    }

    @Override
    public synchronized void release(String id) {
        holds.remove(id);
    }

    @Override
    public synchronized void reclaim(String gatewayId, Collection<Undelivered> undelivered) {
        holds.values().removeIf(h -> h.position == null);
        undelivered.forEach(u -> holds.put(u.requestId(), new Hold(u.accountId(), u.costUsd(), null)));
    }

    @Override
    public void close() {}
}
