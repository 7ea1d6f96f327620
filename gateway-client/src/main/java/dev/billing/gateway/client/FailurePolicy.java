package dev.billing.gateway.client;

/**
 * What {@link CutoffClient#check} answers while its copy of the status topic is stale: the broker
 * is unreachable, the client has not bootstrapped yet, or it is falling behind by more than the
 * configured maximum staleness.
 */
public enum FailurePolicy {
    /**
     * Keep serving: answer from the last known statuses (accounts known to be blocked stay blocked,
     * all others are served). A billing outage never becomes an API outage; the price is that
     * accounts running dry during the outage are cut off only when the topic is back, and are
     * billed for what they used meanwhile (their balance goes negative; the next purchase pays it).
     */
    FAIL_OPEN,
    /**
     * Stop serving: answer {@link Decision#STATUS_UNAVAILABLE} (HTTP 503) for every account until
     * the client has caught up again. Nothing is served that may not be paid for, at the price of
     * an API outage whenever the status topic is unreachable.
     */
    FAIL_CLOSED;

    /** The decision to give, from the last known one and whether the client is stale now. */
    Decision decide(Decision lastKnown, boolean stale) {
        return stale && this == FAIL_CLOSED ? Decision.STATUS_UNAVAILABLE : lastKnown;
    }
}
