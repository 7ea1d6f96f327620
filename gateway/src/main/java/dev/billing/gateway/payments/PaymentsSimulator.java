package dev.billing.gateway.payments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.gateway.client.InputProducers;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A payments service that charges nobody, for demos and tests only: it approves every payment
 * request on {@code payment-requests} (auto top-ups from the job, purchases from the billing API)
 * and reports it as a {@code CREDITS_PURCHASED} whose {@code event_id} is
 * {@code payment/<request_id>}, so an answer sent twice buys once. A real payments service does
 * the same after the charge succeeds (and nothing, or a refund, when it fails).
 */
public final class PaymentsSimulator extends GroupFollower {
    /** The consumer group of {@code bin/billing gateway --simulated-payments}: replicas share the requests. */
    public static final String GATEWAY_GROUP = "billing-simulated-payments";
    private static final System.Logger LOG = System.getLogger(PaymentsSimulator.class.getName());
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaProducer<String, byte[]> producer;
    private final String eventsTopic;

    public final AtomicLong requests = new AtomicLong();
    public final AtomicReference<BigDecimal> chargedUsd = new AtomicReference<>(BigDecimal.ZERO);

    private PaymentsSimulator(String bootstrapServers, Properties extra, String groupId, String requestsTopic,
            String eventsTopic) {
        super(bootstrapServers, extra, groupId, "simulated-payments", List.of(requestsTopic));
        producer = new KafkaProducer<>(InputProducers.properties(bootstrapServers, extra), new StringSerializer(),
                new ByteArraySerializer());
        this.eventsTopic = eventsTopic;
    }

    /**
     * Starts answering the requests of {@code requestsTopic} on {@code eventsTopic}.
     *
     * @param groupId where a restart continues: requests already answered in this group are not answered again
     */
    public static PaymentsSimulator start(String bootstrapServers, Properties extra, String groupId,
            String requestsTopic, String eventsTopic) {
        PaymentsSimulator payments = new PaymentsSimulator(bootstrapServers, extra, groupId, requestsTopic, eventsTopic);
        payments.start();
        return payments;
    }

    @Override
    protected void onRecord(String topic, JsonNode request) {
        String account = request.path("account_id").asText(null);
        String amount = request.path("amount_usd").asText(null);
        String requestId = request.path("request_id").asText(null);
        if (account == null || amount == null || requestId == null) {
            LOG.log(Level.WARNING, "simulated payments: skipping a message that is not a payment request: " + request);
            return;
        }
        String purchase = JSON.createObjectNode()
                .put("event_id", "payment/" + requestId)
                .put("account_id", account)
                .put("type", "CREDITS_PURCHASED")
                .put("occurred_at", Instant.now().toString())
                .put("amount_usd", amount)
                .toString();
        try {
            // acknowledged before the request's offset is committed: a restart answers it again, not never
            producer.send(new ProducerRecord<>(eventsTopic, account, purchase.getBytes(StandardCharsets.UTF_8)))
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "simulated payments: could not answer " + requestId + " on " + eventsTopic + " ("
                    + e + "); skipped: buy again");
            return;
        }
        requests.incrementAndGet();
        chargedUsd.accumulateAndGet(new BigDecimal(amount), BigDecimal::add);
    }

    @Override
    public void close() throws Exception {
        super.close();
        producer.close();
    }
}
