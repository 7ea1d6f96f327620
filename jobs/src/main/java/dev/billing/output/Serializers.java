package dev.billing.output;

import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.PaymentRequest;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Keys and values of the job's Kafka messages. Named classes: Flink cannot infer lambda types here. */
final class Serializers {
    private Serializers() {}

    static final class StatusKey implements SerializationSchema<AccountStatus> {
        @Override
        public byte[] serialize(AccountStatus s) {
            return s.accountId.getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class StatusValue implements SerializationSchema<AccountStatus> {
        @Override
        public byte[] serialize(AccountStatus s) {
            return MessageJson.status(s);
        }
    }

    /** The rejected record's own key, so dead letters keep the input's partitioning. */
    static final class DeadLetterKey implements SerializationSchema<DeadLetter> {
        @Override
        public byte[] serialize(DeadLetter d) {
            return d.source.key;
        }
    }

    static final class DeadLetterValue implements SerializationSchema<DeadLetter> {
        @Override
        public byte[] serialize(DeadLetter d) {
            return MessageJson.deadLetter(d);
        }
    }

    static final class AlertKey implements SerializationSchema<BillingAlert> {
        @Override
        public byte[] serialize(BillingAlert a) {
            return a.accountId.getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class AlertValue implements SerializationSchema<BillingAlert> {
        @Override
        public byte[] serialize(BillingAlert a) {
            return MessageJson.alert(a);
        }
    }

    static final class PaymentRequestKey implements SerializationSchema<PaymentRequest> {
        @Override
        public byte[] serialize(PaymentRequest r) {
            return r.accountId.getBytes(StandardCharsets.UTF_8);
        }
    }

    static final class PaymentRequestValue implements SerializationSchema<PaymentRequest> {
        @Override
        public byte[] serialize(PaymentRequest r) {
            return MessageJson.paymentRequest(r);
        }
    }
}
