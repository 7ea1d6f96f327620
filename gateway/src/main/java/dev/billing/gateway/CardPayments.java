package dev.billing.gateway;

import java.math.BigDecimal;

/**
 * Where a real payments service plugs in: {@code POST /v1/billing/credits} charges the card here,
 * and only when the charge succeeds sends {@code CREDITS_PURCHASED}. A real implementation passes
 * the {@code Idempotency-Key} on to the payment provider, so a retried POST charges once, as the
 * job's event id makes it credit once.
 */
@FunctionalInterface
public interface CardPayments {

    /** The reference gateway has no card processor: every charge succeeds (demos and tests). */
    CardPayments SIMULATED = (accountId, amountUsd, idempotencyKey) -> { };

    /**
     * Charges the account's payment method.
     *
     * @throws Declined when the charge did not happen; the customer is answered 402 with its message
     */
    void charge(String accountId, BigDecimal amountUsd, String idempotencyKey) throws Declined;

    /** A refused charge, with a message for the customer. */
    final class Declined extends Exception {
        private static final long serialVersionUID = 1L;

        public Declined(String message) {
            super(message);
        }
    }
}
