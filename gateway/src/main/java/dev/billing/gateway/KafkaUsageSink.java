package dev.billing.gateway;

import dev.billing.gateway.client.InputProducers;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends usage records to {@code usage-records}, keyed by account. Acknowledged by all replicas
 * and idempotent, so a retry inside the producer neither loses nor duplicates a record; a resend
 * that gets through anyway is billed once, by its request_id. The producer buffers and retries
 * through a broker restart for up to {@code delivery.timeout.ms} (2 minutes by default).
 */
public final class KafkaUsageSink implements UsageSink {
    private static final System.Logger LOG = System.getLogger(KafkaUsageSink.class.getName());

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AtomicLong failed = new AtomicLong();

    public KafkaUsageSink(String bootstrapServers, String topic, Properties extra) {
        Properties p = InputProducers.properties(bootstrapServers, extra);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "billing-gateway-usage");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    @Override
    public void emit(UsageRecord record) {
        producer.send(new ProducerRecord<>(topic, record.accountId(), record.toJson()), (metadata, error) -> {
            if (error != null) {
                // lost revenue, not lost service: the request was served; operators must see this
                failed.incrementAndGet();
                LOG.log(Level.ERROR, "usage record " + record.requestId() + " of " + record.accountId()
                        + " was not delivered to " + topic + ": " + error);
            }
        });
    }

    @Override
    public long failed() {
        return failed.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
