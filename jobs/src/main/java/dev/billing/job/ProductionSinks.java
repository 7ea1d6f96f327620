package dev.billing.job;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.PaymentRequest;
import dev.billing.ledger.UsageHourlyRow;
import dev.billing.output.KafkaSinks;
import dev.billing.output.PostgresSinks;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Sink;

/** The job's real outputs: Kafka topics and PostgreSQL tables. */
public final class ProductionSinks implements BillingSinks {
    private final JobOptions options;
    private final PostgresSinks.Target postgres;

    public ProductionSinks(JobOptions options) {
        this.options = options;
        this.postgres = new PostgresSinks.Target(options.jdbcUrl, options.jdbcUser, options.password(),
                options.jdbcBatchSize, options.jdbcBatchInterval, options.jdbcWriteTimeout, PostgresSinks.DEFAULT_DRAIN_TIMEOUT);
    }

    @Override
    public Sink<AccountStatus> accountStatus() {
        return KafkaSinks.accountStatus(options.bootstrapServers, options.statusTopic, options.kafkaClientProperties());
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return KafkaSinks.deadLetters(options.bootstrapServers, options.dlqTopic, options.groupId + "-dlq", options.kafkaClientProperties());
    }

    @Override
    public Sink<BillingAlert> alerts() {
        return KafkaSinks.alerts(options.bootstrapServers, options.alertsTopic, options.groupId + "-alerts", options.kafkaClientProperties());
    }

    @Override
    public Sink<PaymentRequest> paymentRequests() {
        return KafkaSinks.paymentRequests(options.bootstrapServers, options.paymentRequestsTopic,
                options.groupId + "-payment-requests", options.kafkaClientProperties());
    }

    @Override
    public Sink<UsageHourlyRow> usageHourly() {
        return PostgresSinks.usageHourly(postgres);
    }

    @Override
    public Sink<AccountBalanceRow> accountBalance() {
        return PostgresSinks.accountBalance(postgres);
    }
}
