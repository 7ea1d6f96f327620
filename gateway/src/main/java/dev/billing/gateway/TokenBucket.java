package dev.billing.gateway;

/**
 * Requests per minute as a token bucket holding up to a minute's worth, refilled continuously. In
 * integer units (a request is a minute of nanoseconds, the refill {@code perMinute} units per
 * nanosecond) so that no rounding drifts.
 */
final class TokenBucket {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** The bucket after a take: whether it was granted, what is left, and when it will be full again. */
    record Taken(boolean granted, long remaining, long nanosUntilNext, long nanosUntilFull) {}

    private final long perMinute;
    private final long capacity;
    private long level;
    private long lastNanos;

    TokenBucket(int perMinute, long nowNanos) {
        this.perMinute = perMinute;
        this.capacity = perMinute * MINUTE_NANOS;
        this.level = capacity;
        this.lastNanos = nowNanos;
    }

    long perMinute() {
        return perMinute;
    }

    synchronized Taken take(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = Math.max(lastNanos, nowNanos);
        // elapsed * perMinute overflows only after days at a billion a minute: the bucket is full long before
        long refill = elapsed > capacity / perMinute ? capacity : elapsed * perMinute;
        level = Math.min(capacity, level + refill);
        boolean granted = level >= MINUTE_NANOS;
        if (granted) {
            level -= MINUTE_NANOS;
        }
        long untilNext = level >= MINUTE_NANOS ? 0 : ceilDiv(MINUTE_NANOS - level, perMinute);
        return new Taken(granted, level / MINUTE_NANOS, untilNext, ceilDiv(capacity - level, perMinute));
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
