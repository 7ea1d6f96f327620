package dev.billing.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.gateway.client.InputProducers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The payments service of the demo: charges every auto top-up the job requests on
 * {@code payment-requests} (always successfully) and reports it as a {@code CREDITS_PURCHASED}
 * whose {@code event_id} derives from the request id, so an answer sent twice buys once.
 */
final class PaymentsSimulator extends TopicFollower {
    private final KafkaProducer<String, byte[]> producer;
    private final String eventsTopic;

    final AtomicLong requests = new AtomicLong();
    final AtomicReference<BigDecimal> chargedUsd = new AtomicReference<>(BigDecimal.ZERO);

    PaymentsSimulator(String bootstrapServers, String requestsTopic, String eventsTopic) {
        super(bootstrapServers, "demo-payments", List.of(requestsTopic));
        producer = new KafkaProducer<>(InputProducers.properties(bootstrapServers), new StringSerializer(),
                new ByteArraySerializer());
        this.eventsTopic = eventsTopic;
        start();
    }

    @Override
    void onRecord(String topic, JsonNode request) {
        answer(request);
    }

    private void answer(JsonNode request) {
        String account = request.get("account_id").asText();
        String amount = request.get("amount_usd").asText();
        String purchase = JSON.createObjectNode()
                .put("event_id", "payment/" + request.get("request_id").asText())
                .put("account_id", account)
                .put("type", "CREDITS_PURCHASED")
                .put("occurred_at", Instant.now().toString())
                .put("amount_usd", amount)
                .toString();
        producer.send(new ProducerRecord<>(eventsTopic, account, purchase.getBytes(StandardCharsets.UTF_8)));
        requests.incrementAndGet();
        chargedUsd.accumulateAndGet(new BigDecimal(amount), BigDecimal::add);
    }

    @Override
    public void close() throws Exception {
        super.close();
        producer.close();
    }
}
