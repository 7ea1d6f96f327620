package dev.billing.gateway.client;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The Kafka producer settings of everything that writes the job's input topics: the gateway's usage
 * records and account events, {@code bin/billing dlq replay}, the tests' inputs. Acknowledged by
 * every in-sync replica, idempotent, and one request in flight per broker connection.
 *
 * <p>Why one: a broker takes the first batch of a producer it does not know yet at any sequence
 * number (KIP-360). With several requests in flight, a producer's first batch to a partition can
 * fail with a retriable error (a leader not ready yet, just after the topic was created or moved)
 * while its second is appended; the first then retries as out of order until its delivery timeout
 * and is lost. Seen in {@code QuarantineIT}: 80 usage records expired after 120 s. With one request
 * in flight the second batch is not sent before the first is acknowledged.
 */
public final class InputProducers {
    private InputProducers() {}

    /** {@code extra} (e.g. {@code --kafka-property}) first; the settings above always win. */
    public static Properties properties(String bootstrapServers, Map<?, ?> extra) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return p;
    }

    public static Properties properties(String bootstrapServers) {
        return properties(bootstrapServers, Map.of());
    }
}
