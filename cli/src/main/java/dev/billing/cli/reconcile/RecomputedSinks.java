package dev.billing.cli.reconcile;

import dev.billing.job.BillingSinks;
import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.PaymentRequest;
import dev.billing.ledger.UsageHourlyRow;
import dev.billing.output.PostgresSinks;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * Where a replay writes: the rollups and balances, through the job's own PostgreSQL sinks, into a
 * schema of their own; nothing to Kafka, so gateways, alert subscribers and the dead-letter topic
 * see nothing of it (nor does the payments service).
 */
final class RecomputedSinks implements BillingSinks {
    private final PostgresSinks.Target target;

    RecomputedSinks(PostgresSinks.Target target) {
        this.target = target;
    }

    @Override
    public Sink<AccountStatus> accountStatus() {
        return new DiscardingSink<>();
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return new DiscardingSink<>();
    }

    @Override
    public Sink<BillingAlert> alerts() {
        return new DiscardingSink<>();
    }

    @Override
    public Sink<PaymentRequest> paymentRequests() {
        return new DiscardingSink<>();
    }

    @Override
    public Sink<UsageHourlyRow> usageHourly() {
        return PostgresSinks.usageHourly(target);
    }

    @Override
    public Sink<AccountBalanceRow> accountBalance() {
        return PostgresSinks.accountBalance(target);
    }
}
