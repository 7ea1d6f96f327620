package dev.billing.ledger;

import dev.billing.model.AccountEvent;
import dev.billing.model.PaymentRequest;
import java.math.BigDecimal;

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
        s.terms().setAutoTopUp(event.belowUsd, event.belowUsd == null ? null : event.amountUsd);
    }

    /** The request due after the balance moved, or null. */
    static PaymentRequest due(String accountId, AccountState s, long now) {
        BigDecimal level = s.terms().autoTopUpBelowUsd();
        if (level == null) {
            return null;
        }
        int vsLevel = s.balanceUsd().compareTo(level);
        if (vsLevel > 0) {
            s.sent().topUpRearmed();
            return null;
        }
        if (vsLevel == 0 || s.sent().topUpRequested()) {
            return null;
        }
        int number = s.sent().topUpRequestSent();
        PaymentRequest r = new PaymentRequest();
        r.requestId = accountId + "/AUTO_TOPUP/" + number;
        r.accountId = accountId;
        r.amountUsd = s.terms().autoTopUpAmountUsd();
        r.belowUsd = level;
        r.balanceUsd = s.balanceUsd();
        r.occurredAtMs = now;
        return r;
    }
}
