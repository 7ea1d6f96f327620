package dev.billing.gateway.payments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.ConsumerClosing;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A thread that reads topics in a consumer group, from the beginning when the group has no
 * committed offsets, committed records only (what the job's transactions committed), and hands
 * each JSON record to {@link #onRecord}; a record that is not JSON is skipped. Offsets are
 * committed after the records were handled (at least once).
 */
public abstract class GroupFollower implements AutoCloseable {
    protected static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(GroupFollower.class.getName());

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param groupId the consumer group: its committed offsets say where a restart continues
     * @param extra Kafka client properties (TLS, SASL), may be empty
     */
    protected GroupFollower(String bootstrapServers, Properties extra, String groupId, String threadName,
            List<String> topics) {
        Properties p = new Properties();
        p.putAll(extra);
        p.put("bootstrap.servers", bootstrapServers);
        p.put("group.id", groupId);
        p.put("auto.offset.reset", "earliest");
        p.put("isolation.level", "read_committed");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(topics);
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /** Starts reading; called by the subclass once it is constructed. */
    protected final void start() {
        thread.start();
    }

    /** Handles one record; returns once it is done with it (its offset may be committed after). */
    protected abstract void onRecord(String topic, JsonNode value);

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode json = parse(r.value());
                    if (json != null) {
                        onRecord(r.topic(), json);
                    }
                }
            }
        } catch (WakeupException e) {
            // close() woke it up
        } catch (InterruptException e) {
            // the JVM is going down, or the owner ends the thread: a normal end too
            LOG.log(Level.DEBUG, thread.getName() + ": interrupted");
        } catch (RuntimeException e) {
            if (running) {
                LOG.log(Level.ERROR, thread.getName() + " stopped reading: " + e, e);
            }
        } finally {
            // the offsets of what was handled are committed here: give the broker a moment
            ConsumerClosing.close(consumer, Duration.ofSeconds(10), thread.getName());
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
