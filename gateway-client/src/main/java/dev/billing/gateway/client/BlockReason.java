package dev.billing.gateway.client;

/** Why a request is refused. The first two come from the billing job, the others from this client. */
public enum BlockReason {
    /** The account's credits are used up (balance at or below zero): add credits to resume. */
    BALANCE_EXHAUSTED,
    /** The account's spend this calendar month (UTC) reached its hard limit: raise the limit to resume. */
    MONTHLY_LIMIT,
    /**
     * A reason the job published that this version of the client does not know. The account is
     * blocked all the same: the job, not the client, decides who pays.
     */
    UNRECOGNIZED,
    /**
     * Not about the account: the client is fail-closed and its copy of the status topic is older
     * than the configured maximum staleness (broker unreachable, or not bootstrapped yet).
     */
    STATUS_UNAVAILABLE;

    /** True for the reasons of the billing job, which a 402 Payment Required answers. */
    public boolean paymentRequired() {
        return this != STATUS_UNAVAILABLE;
    }

    /** The reason named on the wire; a name this client does not know is {@link #UNRECOGNIZED}. */
    static BlockReason fromWire(String name) {
        switch (name) {
            case "BALANCE_EXHAUSTED":
                return BALANCE_EXHAUSTED;
            case "MONTHLY_LIMIT":
                return MONTHLY_LIMIT;
            default:
                return UNRECOGNIZED;
        }
    }
}
