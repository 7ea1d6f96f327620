package dev.billing.workflow;

import dev.billing.job.BillingSinks;
import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.PaymentRequest;
import dev.billing.model.DeadLetter;
import dev.billing.ledger.UsageHourlyRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The job's five outputs collected in this JVM (the MiniCluster's), in arrival order, for a test to
 * read while the job runs or after it ends. Rows are whole totals, so the last row of a key is the
 * key's value, as in PostgreSQL.
 */
public final class CollectingSinks implements BillingSinks {
    private static final Map<String, List<Object>> COLLECTED = new ConcurrentHashMap<>();

    private final String id = UUID.randomUUID().toString();

    @Override
    public Sink<AccountStatus> accountStatus() {
        return new Collecting<>(id + "/status");
    }

    @Override
    public Sink<DeadLetter> deadLetters() {
        return new Collecting<>(id + "/dlq");
    }

    @Override
    public Sink<BillingAlert> alerts() {
        return new Collecting<>(id + "/alerts");
    }

    @Override
    public Sink<PaymentRequest> paymentRequests() {
        return new Collecting<>(id + "/payment-requests");
    }

    @Override
    public Sink<UsageHourlyRow> usageHourly() {
        return new Collecting<>(id + "/usage-hourly");
    }

    @Override
    public Sink<AccountBalanceRow> accountBalance() {
        return new Collecting<>(id + "/account-balance");
    }

    public List<AccountStatus> statuses() {
        return read("/status");
    }

    public List<DeadLetter> deadLettersSent() {
        return read("/dlq");
    }

    public List<BillingAlert> alertsSent() {
        return read("/alerts");
    }

    public List<UsageHourlyRow> usageRows() {
        return read("/usage-hourly");
    }

    public List<AccountBalanceRow> balanceRows() {
        return read("/account-balance");
    }

    @SuppressWarnings("unchecked")
    private <T> List<T> read(String name) {
        List<Object> values = COLLECTED.getOrDefault(id + name, List.of());
        synchronized (values) {
            return (List<T>) new ArrayList<>(values);
        }
    }

    private static final class Collecting<T> implements Sink<T> {
        private static final long serialVersionUID = 1L;
        private final String name;

        Collecting(String name) {
            this.name = name;
        }

        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            List<Object> values = COLLECTED.computeIfAbsent(name, k -> new ArrayList<>());
            return new SinkWriter<>() {
                @Override
                public void write(T element, Context context) {
                    synchronized (values) {
                        values.add(element);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
