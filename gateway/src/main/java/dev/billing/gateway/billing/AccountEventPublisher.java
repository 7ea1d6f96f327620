package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.InputProducers;
import dev.billing.gateway.http.ApiError;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends the billing API's account events (schemas/account-event.schema.json) to
 * {@code account-events} and its purchases' payment requests (schemas/payment-request.schema.json)
 * to {@code payment-requests}, keyed by account, and waits until every replica has them: an answer
 * of 202 means the billing job, or the payments service, will see the message.
 */
final class AccountEventPublisher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);
    private static final System.Logger LOG = System.getLogger(AccountEventPublisher.class.getName());

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String paymentRequestsTopic;

    AccountEventPublisher(String bootstrapServers, String topic, String paymentRequestsTopic, Properties extra) {
        Properties p = InputProducers.properties(bootstrapServers, extra);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "billing-api-events");
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(SEND_TIMEOUT.toMillis()));
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(SEND_TIMEOUT.toMillis() / 2));
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(SEND_TIMEOUT.toMillis()));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.paymentRequestsTopic = paymentRequestsTopic;
    }

    /** A new event of {@code type}: the caller adds the type's fields and passes it to {@link #send}. */
    static ObjectNode event(String eventId, String accountId, String type, Instant occurredAt) {
        return JSON.createObjectNode()
                .put("event_id", eventId)
                .put("account_id", accountId)
                .put("type", type)
                .put("occurred_at", occurredAt.toString());
    }

    /**
     * Sends and waits for the acknowledgement.
     *
     * @throws ApiError 503 when Kafka did not confirm the event: retry the same request
     */
    void send(ObjectNode event) throws ApiError {
        send(topic, event, "The " + event.get("type").asText() + " event");
    }

    /**
     * Sends a payment request and waits for the acknowledgement.
     *
     * @throws ApiError 503 when Kafka did not confirm it: retry with the same Idempotency-Key
     */
    void requestPayment(ObjectNode request) throws ApiError {
        send(paymentRequestsTopic, request, "The payment request");
    }

    private void send(String to, ObjectNode message, String what) throws ApiError {
        String account = message.get("account_id").asText();
        try {
            producer.send(new ProducerRecord<>(to, account, JSON.writeValueAsBytes(message)))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(what, "interrupted");
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            // the cause (broker addresses, client internals) is for the operator's log, not for the customer
            LOG.log(Level.WARNING, "billing API: " + what + " for account " + account + " was not confirmed by " + to,
                    cause);
            throw unavailable(what, cause instanceof TimeoutException
                    || cause instanceof org.apache.kafka.common.errors.TimeoutException ? "timed out" : "failed");
        }
    }

    private static ApiError unavailable(String what, String why) {
        return new ApiError(503, "service_unavailable", "billing_events_unavailable", null, what + " could not be"
                + " confirmed (" + why + "); it may not be recorded. Retry the same request: a purchase with the same"
                + " Idempotency-Key is charged and credited once.");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
