package dev.billing.ledger;

import dev.billing.model.AccountEvent;
import dev.billing.model.PaymentRequest;

/**
 * The auto top-up rule of one account: when the balance falls below the account's level, one
 * payment request, then none until the balance has risen above the level again (the purchase
 * landed, or any other credits did). Marks what it returns as requested in the state, which is
 * checkpointed with the transaction that publishes the request, so a replay neither repeats nor
 * loses one; the request id counts the account's requests, so a replay gives the same ids.
 */
final class AutoTopUp {
    private AutoTopUp() {}

    /**
     * AUTO_TOPUP_SET: the new level and amount, or off. A request still outstanding stays so: a
     * new setting while the balance is below the level must not buy a second time for one crossing.
     */
    static void set(AccountState s, AccountEvent event) {
        s.autoTopUpBelowUsd = event.belowUsd;
        s.autoTopUpAmountUsd = event.belowUsd == null ? null : event.amountUsd;
    }

    /** The request due after the balance moved, or null. */
    static PaymentRequest due(String accountId, AccountState s, long now) {
        if (s.autoTopUpBelowUsd == null) {
            return null;
        }
        int vsLevel = s.balanceUsd().compareTo(s.autoTopUpBelowUsd);
        if (vsLevel > 0) {
            s.autoTopUpRequested = false; // re-armed
            return null;
        }
        if (vsLevel == 0 || s.autoTopUpRequested) {
            return null;
        }
        s.autoTopUpRequested = true;
        s.autoTopUpRequests++;
        PaymentRequest r = new PaymentRequest();
        r.requestId = accountId + "/AUTO_TOPUP/" + s.autoTopUpRequests;
        r.accountId = accountId;
        r.amountUsd = s.autoTopUpAmountUsd;
        r.belowUsd = s.autoTopUpBelowUsd;
        r.balanceUsd = s.balanceUsd();
        r.occurredAtMs = now;
        return r;
    }
}
