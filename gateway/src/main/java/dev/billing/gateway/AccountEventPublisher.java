package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.InputProducers;
import java.io.IOException;
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
 * {@code account-events}, keyed by account, and waits until every replica has them: an answer
 * of 202 means the billing job will see the event.
 */
final class AccountEventPublisher implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    AccountEventPublisher(String bootstrapServers, String topic, Properties extra) {
        Properties p = InputProducers.properties(bootstrapServers, extra);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "billing-api-events");
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(SEND_TIMEOUT.toMillis()));
        p.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(SEND_TIMEOUT.toMillis() / 2));
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(SEND_TIMEOUT.toMillis()));
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
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
        String account = event.get("account_id").asText();
        try {
            producer.send(new ProducerRecord<>(topic, account, JSON.writeValueAsBytes(event)))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(event, "interrupted");
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw unavailable(event, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
    }

    private ApiError unavailable(ObjectNode event, String why) {
        return new ApiError(503, "service_unavailable", "billing_events_unavailable", null, "Could not confirm the "
                + event.get("type").asText() + " event (" + topic + ": " + why + "); it may not be recorded. Retry"
                + " the same request: a purchase with the same Idempotency-Key is charged and credited once.");
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
