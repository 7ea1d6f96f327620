package dev.billing.gateway.openai;

import java.util.concurrent.atomic.AtomicLong;

/** What the gateway answered, by kind, since it started. */
public final class GatewayMetrics {
    final AtomicLong served = new AtomicLong();
    final AtomicLong paymentRequired = new AtomicLong();
    final AtomicLong statusUnavailable = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong streamsCutShort = new AtomicLong();
    final AtomicLong usageNotDurable = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();

    /** 429 answers: an account beyond its concurrency or rate limit. */
    public long rateLimited() {
        return rateLimited.get();
    }

    /** 200 answers, plain or streamed, each reported to usage-records. */
    public long served() {
        return served.get();
    }

    /** 402 answers: the billing job cut the account off, or its available balance did not cover the request's worst case. */
    public long paymentRequired() {
        return paymentRequired.get();
    }

    /** 503 answers: fail-closed while the status topic was stale. */
    public long statusUnavailable() {
        return statusUnavailable.get();
    }

    /** Streamed answers the client hung up on (or the server stopped) before their end; each billed for what it was sent. */
    public long streamsCutShort() {
        return streamsCutShort.get();
    }

    /** 503 answers because a request's usage could not be made durable (the usage journal full or failing). */
    public long usageNotDurable() {
        return usageNotDurable.get();
    }

    /** Other refusals: no or bad API key, bad request, unknown model. */
    public long rejected() {
        return rejected.get();
    }
}
