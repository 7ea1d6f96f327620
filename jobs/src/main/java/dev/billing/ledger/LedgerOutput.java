package dev.billing.ledger;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.PaymentRequest;

/** Where the ledger's rules send what they decide; the operator routes each kind to its output. */
interface LedgerOutput {
    void status(AccountStatus status);

    void deadLetter(DeadLetter deadLetter);

    void alert(BillingAlert alert);

    void paymentRequest(PaymentRequest request);

    void rollup(UsageHourlyRow row);

    void balance(AccountBalanceRow row);
}
