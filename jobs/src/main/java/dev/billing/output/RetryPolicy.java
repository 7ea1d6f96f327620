package dev.billing.output;

import java.io.Serializable;
import java.time.Duration;

/**
 * How long a sink keeps trying when PostgreSQL is unreachable before it fails the task (and the
 * job restarts from its last checkpoint): {@code retries} reconnects, the wait doubling from
 * {@code firstBackoff} up to {@code maxBackoff}.
 */
public record RetryPolicy(int retries, Duration firstBackoff, Duration maxBackoff) implements Serializable {
    /** About 6 s of outage, as long as the old JDBC sink waited (5 retries). */
    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(3));

    long backoffMs(int attempt) {
        long ms = firstBackoff.toMillis() << Math.min(attempt, 20);
        return Math.min(ms, maxBackoff.toMillis());
    }
}
