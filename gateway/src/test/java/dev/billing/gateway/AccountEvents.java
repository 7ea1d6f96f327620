package dev.billing.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the dashboard and payments send to {@code account-events} (schemas/account-event.schema.json). */
final class AccountEvents implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    AccountEvents(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("acks", "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    void opened(String account, Duration timeout) throws Exception {
        send(event(account, "ACCOUNT_OPENED"), account, timeout);
    }

    /** A purchase of {@code amountUsd}, a decimal string such as "10.00". */
    void creditsPurchased(String account, String amountUsd, Duration timeout) throws Exception {
        send(event(account, "CREDITS_PURCHASED").put("amount_usd", amountUsd), account, timeout);
    }

    /**
     * As the payments service does once a charge succeeds: the {@code CREDITS_PURCHASED} of a payment
     * request (schemas/payment-request.schema.json), its event id {@code payment/<request_id>}.
     */
    void paymentSucceeded(JsonNode request, Duration timeout) throws Exception {
        String account = request.get("account_id").asText();
        send(event(account, "CREDITS_PURCHASED")
                .put("event_id", "payment/" + request.get("request_id").asText())
                .put("amount_usd", request.get("amount_usd").asText()), account, timeout);
    }

    private static ObjectNode event(String account, String type) {
        return JSON.createObjectNode()
                .put("event_id", "evt-" + UUID.randomUUID())
                .put("account_id", account)
                .put("type", type)
                .put("occurred_at", Instant.now().toString());
    }

    private void send(ObjectNode event, String account, Duration timeout) throws Exception {
        producer.send(new ProducerRecord<>(topic, account, JSON.writeValueAsBytes(event)))
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        producer.close();
    }
}
