package dev.billing.output;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a sink waits between attempts while PostgreSQL does not take its rows: from
 * {@code firstBackoff}, doubling up to {@code maxBackoff}, for as long as it takes.
 */
public record RetryPolicy(Duration firstBackoff, Duration maxBackoff) implements Serializable {
    /** A short blip costs a fraction of a second; a long outage is probed every 5 s. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(5));

    long backoffMs(int attempt) {
        long ms = firstBackoff.toMillis() << Math.min(attempt, 20);
        return Math.min(ms, maxBackoff.toMillis());
    }
}
