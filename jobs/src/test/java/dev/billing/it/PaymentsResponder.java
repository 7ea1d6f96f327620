package dev.billing.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The payments service of the tests: reads the committed payment requests and answers each with a
 * CREDITS_PURCHASED of its amount, whose event id derives from the request id. It answers every
 * request twice, as a payments service retrying after a timeout would: the job must buy once.
 */
final class PaymentsResponder implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrap;
    private final String requestsTopic;
    private final String eventsTopic;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    PaymentsResponder(String bootstrap, String requestsTopic, String eventsTopic) {
        this.bootstrap = bootstrap;
        this.requestsTopic = requestsTopic;
        this.eventsTopic = eventsTopic;
        thread = new Thread(this::run, "payments-responder");
        thread.start();
    }

    /** The requests seen so far, in the order they were read. */
    List<JsonNode> requests() {
        if (failure != null) {
            throw new IllegalStateException("the payments responder failed", failure);
        }
        return List.copyOf(requests);
    }

    private void run() {
        Properties c = new Properties();
        c.put("bootstrap.servers", bootstrap);
        c.put("group.id", "payments-responder");
        c.put("isolation.level", "read_committed"); // what an aborted transaction held was never asked for
        c.put("enable.auto.commit", "false");
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(requestsTopic).stream()
                    .map(i -> new TopicPartition(requestsTopic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    JsonNode request = JSON.readTree(r.value());
                    String account = request.get("account_id").asText();
                    String purchase = JSON.createObjectNode()
                            .put("event_id", "payment/" + request.get("request_id").asText())
                            .put("account_id", account)
                            .put("type", "CREDITS_PURCHASED")
                            .put("occurred_at", Instant.now().toString())
                            .put("amount_usd", request.get("amount_usd").asText())
                            .toString();
                    producer.send(new ProducerRecord<>(eventsTopic, account, purchase));
                    producer.send(new ProducerRecord<>(eventsTopic, account, purchase));
                    requests.add(request);
                }
                producer.flush();
            }
        } catch (IOException e) {
            failure = new UncheckedIOException(e);
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
