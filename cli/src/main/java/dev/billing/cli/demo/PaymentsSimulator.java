package dev.billing.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The payments service of the demo: charges every auto top-up the job requests on
 * {@code payment-requests} (always successfully) and reports it as a {@code CREDITS_PURCHASED}
 * whose {@code event_id} derives from the request id, so an answer sent twice buys once.
 */
final class PaymentsSimulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final String eventsTopic;
    private final Thread thread;
    private volatile boolean running = true;

    final AtomicLong requests = new AtomicLong();
    final AtomicReference<BigDecimal> chargedUsd = new AtomicReference<>(BigDecimal.ZERO);

    PaymentsSimulator(String bootstrapServers, String requestsTopic, String eventsTopic) {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrapServers);
        c.put("group.id", "billing-demo-payments-" + UUID.randomUUID());
        c.put("auto.offset.reset", "earliest");
        c.put("isolation.level", "read_committed"); // only requests the job committed
        consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(requestsTopic));
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("acks", "all");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.eventsTopic = eventsTopic;
        thread = new Thread(this::run, "demo-payments");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    answer(JSON.readTree(r.value()));
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (IOException e) {
            throw new IllegalStateException("a payment request that is not JSON: " + e.getMessage(), e);
        } finally {
            consumer.close();
        }
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
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        producer.close();
    }
}
