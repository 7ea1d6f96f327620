package dev.billing.job;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.PaymentRequest;
import dev.billing.ledger.UsageHourlyRow;
import org.apache.flink.api.connector.sink2.Sink;

/** The six outputs of the job. Production writes Kafka and PostgreSQL; tests may collect. */
public interface BillingSinks {
    Sink<AccountStatus> accountStatus();

    Sink<DeadLetter> deadLetters();

    Sink<BillingAlert> alerts();

    Sink<PaymentRequest> paymentRequests();

    Sink<UsageHourlyRow> usageHourly();

    Sink<AccountBalanceRow> accountBalance();
}
