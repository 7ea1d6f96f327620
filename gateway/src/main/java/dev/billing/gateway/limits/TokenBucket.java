package dev.billing.gateway.limits;

/**
 * So many per minute (requests, or tokens) as a token bucket holding up to a minute's worth,
 * refilled continuously. In integer units (one is a minute of nanoseconds, the refill
 * {@code perMinute} units per nanosecond) so that no rounding drifts.
 */
final class TokenBucket {
    private static final long MINUTE_NANOS = 60_000_000_000L;
    /** A minute's worth of this many fits in a long. */
    static final int MAX_PER_MINUTE = 100_000_000;

    /** The bucket after a take: whether it was granted, what is left, and when it will be full again. */
    record Taken(boolean granted, long remaining, long nanosUntilNext, long nanosUntilFull) {}

    private final long perMinute;
    private final long capacity;
    private long level;
    private long lastNanos;

    TokenBucket(int perMinute, long nowNanos) {
        if (perMinute < 1 || perMinute > MAX_PER_MINUTE) {
            throw new IllegalArgumentException("1 to " + MAX_PER_MINUTE + " per minute, not " + perMinute);
        }
        this.perMinute = perMinute;
        this.capacity = Math.multiplyExact(perMinute, MINUTE_NANOS);
        this.level = capacity;
        this.lastNanos = nowNanos;
    }

    long perMinute() {
        return perMinute;
    }

    synchronized Taken take(long nowNanos) {
        return take(nowNanos, 1);
    }

    /** Takes {@code amount} when the bucket holds that much; more than a minute's worth is never granted. */
    synchronized Taken take(long nowNanos, long amount) {
        long elapsed = Math.max(0, nowNanos - lastNanos);
        lastNanos = Math.max(lastNanos, nowNanos);
        // elapsed * perMinute overflows only after days at a billion a minute: the bucket is full long before
        long refill = elapsed > capacity / perMinute ? capacity : elapsed * perMinute;
        level = Math.min(capacity, level + refill);
        long units = amount > perMinute ? Long.MAX_VALUE : amount * MINUTE_NANOS;
        boolean granted = level >= units;
        if (granted) {
            level -= units;
        }
        long wanted = Math.min(units, capacity);
        long untilNext = level >= wanted ? 0 : ceilDiv(wanted - level, perMinute);
        return new Taken(granted, level / MINUTE_NANOS, untilNext, ceilDiv(capacity - level, perMinute));
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
