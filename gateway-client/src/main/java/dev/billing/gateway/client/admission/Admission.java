package dev.billing.gateway.client.admission;

import dev.billing.gateway.client.AccountStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * The gateway's door: a request is served only when the account's available balance covers its
 * worst case, its prompt plus its completion limit at the highest rate it can be billed at. The
 * available balance is the newest published balance less what every replica holds (see
 * {@link Reservations}). On completion the hold becomes the request's cost once its usage is on the
 * topic ({@link #delivered}), and leaves when a published balance covers it; a request not served
 * is {@link #release}d.
 */
public final class Admission implements AutoCloseable {
    /** How long a refusal waits for this replica's written usage to settle before it is tried again. */
    private static final Duration SETTLE_WAIT = Duration.ofSeconds(1);

    private final Function<String, AccountStatus> statuses;
    private final RateCards rates;
    private final Reservations reservations;
    private final BigDecimal freeCreditsUsd;
    private final String gatewayId;
    private final Clock clock;
    private final Unsettled unsettled = new Unsettled();

    /**
     * @param statuses the newest known status of an account, null when the job published none
     * @param freeCreditsUsd what an account the job has published nothing for has: its free credits
     *     (the job's {@code --free-credits})
     * @param gatewayId this replica, stable across its restarts (the gateway's node id)
     */
    public Admission(Function<String, AccountStatus> statuses, RateCards rates, Reservations reservations,
            BigDecimal freeCreditsUsd, String gatewayId, Clock clock) {
        this.statuses = statuses;
        this.rates = rates;
        this.reservations = reservations;
        this.freeCreditsUsd = freeCreditsUsd;
        this.gatewayId = gatewayId;
        this.clock = clock;
    }

    /** A held request: its id, and the worst case held for it. */
    public record Ticket(String requestId, String accountId, String model, BigDecimal worstCaseUsd) {}

    /**
     * Holds the request's worst case.
     *
     * @throws InsufficientBalance when the available balance does not cover it (answer 402)
     * @throws ReservationsUnavailable when the shared reservations cannot be reached (answer 503)
     * @throws IllegalArgumentException when the model has no price (the job would not bill it)
     */
    public Ticket admit(String requestId, String accountId, String model, long promptTokens, long completionBound)
            throws InsufficientBalance, ReservationsUnavailable {
        ModelRate rate = rates.highestFrom(accountId, model, clock.instant());
        if (rate == null) {
            throw new IllegalArgumentException("no price for model " + model);
        }
        BigDecimal worst = rate.cost(promptTokens, completionBound);
        PublishedBalance published = PublishedBalance.of(statuses.apply(accountId), freeCreditsUsd);
        Reservations.Outcome outcome = reservations.reserve(requestId, accountId, gatewayId, worst, published);
        if (!outcome.held() && awaitSettled(accountId)) {
            outcome = reservations.reserve(requestId, accountId, gatewayId, worst,
                    PublishedBalance.of(statuses.apply(accountId), freeCreditsUsd));
        }
        if (!outcome.held()) {
            throw new InsufficientBalance(accountId, worst, outcome.availableUsd(), promptTokens, completionBound);
        }
        return new Ticket(requestId, accountId, model, worst);
    }

    /** What the job bills for the request's usage, at most: the rate in force now, before any volume discount. */
    public BigDecimal cost(Ticket ticket, long promptTokens, long completionTokens) {
        return rates.rateAt(ticket.accountId(), ticket.model(), clock.instant()).cost(promptTokens, completionTokens);
    }

    private boolean awaitSettled(String accountId) {
        try {
            return unsettled.awaitSettled(accountId, SETTLE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The request's usage is written (durable, not yet on the topic): its hold settles once {@link #delivered}. */
    public void completed(String requestId, String accountId) {
        unsettled.completed(requestId, accountId);
    }

    /** The usage said {@link #completed} could not be written after all. */
    public void notCompleted(String requestId) {
        unsettled.settled(requestId);
    }

    /**
     * The requests' usage is on the topic: each hold becomes its request's cost until a published
     * balance covers its position.
     */
    public void delivered(List<Reservations.Settlement> settlements) throws ReservationsUnavailable {
        try {
            reservations.settle(gatewayId, settlements);
        } finally {
            // settled or not, waiting longer for them helps no refusal
            settlements.forEach(s -> unsettled.settled(s.requestId()));
        }
    }

    /** The request was not served. */
    public void release(Ticket ticket) throws ReservationsUnavailable {
        reservations.release(ticket.requestId());
    }

    public String gatewayId() {
        return gatewayId;
    }

    public Reservations reservations() {
        return reservations;
    }

    /** Closes the reservations (their connections). */
    @Override
    public void close() throws Exception {
        reservations.close();
    }
}
