package dev.billing.gateway.client.admission;

import dev.billing.gateway.client.UsagePosition;
import java.math.BigDecimal;
import java.util.Collection;

/**
 * What every gateway replica holds against an account's balance, in one place they share: the
 * worst case of each request in progress, and the cost of each request whose usage is on the
 * topic but not yet in a published balance. An account's available balance is the newest balance
 * any replica has seen published, less what is held and not covered by it.
 */
public interface Reservations extends AutoCloseable {

    /** The outcome of {@link #reserve}: held, or not, with the balance that was available either way. */
    record Outcome(boolean held, BigDecimal availableUsd) {}

    /** A request whose usage is written but not yet on the topic, held at its cost. */
    record Undelivered(String requestId, String accountId, BigDecimal costUsd) {}

    /**
     * Holds {@code amountUsd} for the request {@code id} when the account's available balance
     * covers it, atomically against every other replica's reservations of the account.
     */
    Outcome reserve(String id, String accountId, String gatewayId, BigDecimal amountUsd, PublishedBalance published)
            throws ReservationsUnavailable;

    /** A request whose usage is on the topic at {@code position}, costing {@code costUsd}. */
    record Settlement(String requestId, String accountId, BigDecimal costUsd, UsagePosition position) {}

    /**
     * The requests' usage is on the topic: each hold becomes its request's cost, and leaves once a
     * published balance covers its position. One round trip for all of them.
     */
    void settle(String gatewayId, Collection<Settlement> settlements) throws ReservationsUnavailable;

    /** The request was not served: nothing is held for it any more. */
    void release(String id) throws ReservationsUnavailable;

    /**
     * At a gateway's start: what its previous process held for requests that never reached the usage
     * topic is released, except the requests in {@code undelivered} (usage in its journal, still to
     * be delivered), which stay held at their cost.
     */
    void reclaim(String gatewayId, Collection<Undelivered> undelivered) throws ReservationsUnavailable;
}
