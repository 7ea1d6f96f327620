package dev.billing.output;

import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.PaymentRequest;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** The job's Kafka outputs. */
public final class KafkaSinks {
    private KafkaSinks() {}

    /**
     * Status updates, at least once and without waiting for a checkpoint: a status is a versioned
     * state, so a replayed write of it is harmless, and gateways must see a cutoff at once.
     */
    public static KafkaSink<AccountStatus> accountStatus(String bootstrapServers, String topic, Properties producer) {
        Properties props = new Properties();
        props.putAll(producer);
        props.putIfAbsent("linger.ms", "2");
        props.putIfAbsent("acks", "all");
        return KafkaSink.<AccountStatus>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(new KeyValueSchema<AccountStatus>(topic, s -> utf8(s.accountId), MessageJson::status))
                .build();
    }

    /**
     * Rejected inputs, exactly once (Kafka transactions committed with each checkpoint), keyed by
     * the original key, so a replay after a failure adds no duplicate to the dead-letter topic.
     */
    public static KafkaSink<DeadLetter> deadLetters(String bootstrapServers, String topic, String transactionalIdPrefix,
            Properties producer) {
        Properties props = new Properties();
        props.putAll(producer);
        props.putIfAbsent("max.request.size", Integer.toString(MessageJson.DEAD_LETTER_MAX_BYTES));
        return exactlyOnce(bootstrapServers, transactionalIdPrefix, props,
                // the rejected record's own key, so dead letters keep the input's partitioning
                new KeyValueSchema<DeadLetter>(topic, d -> d.source.key, MessageJson::deadLetter));
    }

    /**
     * Alerts, exactly once: the ledger marks an alert sent in the same checkpoint that commits it,
     * so a replay neither repeats nor loses one.
     */
    public static KafkaSink<BillingAlert> alerts(String bootstrapServers, String topic, String transactionalIdPrefix,
            Properties producer) {
        return exactlyOnce(bootstrapServers, transactionalIdPrefix, producer,
                new KeyValueSchema<BillingAlert>(topic, a -> utf8(a.accountId), MessageJson::alert));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Auto top-up requests for the payments service, exactly once as alerts: the ledger marks a
     * request made in the same checkpoint that commits it, so a replay neither repeats nor loses
     * one (a repeat would charge a card twice). A request reaches the payments service when its
     * checkpoint completes.
     */
    public static KafkaSink<PaymentRequest> paymentRequests(String bootstrapServers, String topic,
            String transactionalIdPrefix, Properties producer) {
        return exactlyOnce(bootstrapServers, transactionalIdPrefix, producer,
                new KeyValueSchema<PaymentRequest>(topic, r -> utf8(r.accountId), MessageJson::paymentRequest));
    }

    private static <T> KafkaSink<T> exactlyOnce(String bootstrapServers, String transactionalIdPrefix,
            Properties producer, KafkaRecordSerializationSchema<T> serializer) {
        Properties props = new Properties();
        props.putAll(producer);
        // below the broker's transaction.max.timeout.ms (15 min); Flink's default of 1 h is refused
        props.putIfAbsent("transaction.timeout.ms", "600000");
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setKafkaProducerConfig(props)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setRecordSerializer(serializer)
                .build();
    }
}
