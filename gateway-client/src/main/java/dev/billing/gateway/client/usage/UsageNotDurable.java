package dev.billing.gateway.client.usage;

/**
 * A usage record could not be made durable (the journal is full of undelivered usage, or the disk
 * refused the write): do not serve the request; answer 503 with Retry-After.
 */
public final class UsageNotDurable extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageNotDurable(String message, Throwable cause) {
        super(message, cause);
    }
}
