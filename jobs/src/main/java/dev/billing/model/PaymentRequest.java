package dev.billing.model;

import java.math.BigDecimal;

/**
 * An auto top-up the ledger asks the payments service for, published to {@code payment-requests}.
 * The payments service answers with a {@code CREDITS_PURCHASED} whose {@code event_id} derives
 * from {@link #requestId}, so a repeated answer buys once.
 */
public class PaymentRequest {
    /** Deterministic ({@code <account_id>/AUTO_TOPUP/<n>}, the account's n-th request): charge once per id. */
    public String requestId;
    public String accountId;
    /** What to buy: the account's auto top-up amount when the request was made. */
    public BigDecimal amountUsd;
    /** The level the balance fell below. */
    public BigDecimal belowUsd;
    /** The balance when it fell below the level. */
    public BigDecimal balanceUsd;
    public long occurredAtMs;

    public PaymentRequest() {}

    @Override
    public String toString() {
        return requestId;
    }
}
