package dev.billing.gateway.client;

import java.lang.System.Logger.Level;
import java.time.Duration;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The end of a thread that owns a Kafka consumer: its close is part of a normal stop, so an
 * interrupt or a wakeup meanwhile (a stop, a JVM shutdown) ends it quietly instead of escaping the
 * thread as a stack trace.
 */
public final class ConsumerClosing {
    private static final System.Logger LOG = System.getLogger(ConsumerClosing.class.getName());

    private ConsumerClosing() {}

    /** Closes {@code consumer}, waiting at most {@code timeout}; {@code what} names it in the log. */
    public static void close(Consumer<?, ?> consumer, Duration timeout, String what) {
        // a pending interrupt would make the close throw before it released anything
        boolean interrupted = Thread.interrupted();
        try {
            consumer.close(CloseOptions.timeout(timeout));
        } catch (InterruptException | WakeupException e) {
            LOG.log(Level.DEBUG, "closing the consumer of " + what + ": " + e);
        } catch (KafkaException e) {
            LOG.log(Level.WARNING, "closing the consumer of " + what + ": " + e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
