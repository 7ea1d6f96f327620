package dev.billing.gateway.openai;

import dev.billing.gateway.client.usage.UsageNotDurable;
import java.math.BigDecimal;

/** Where the gateway reports the usage of the requests it served. */
public interface UsageSink extends AutoCloseable {
    /**
     * Makes the record durable: when this returns it will reach the billing job, whatever happens
     * to this process or the broker. Only then is the response completed.
     *
     * @param costUsd what the request costs at most, held against the balance until a published balance covers it
     * @throws UsageNotDurable when it cannot be made durable now; the request must not be served
     */
    void record(UsageRecord record, BigDecimal costUsd) throws UsageNotDurable;

    /** Whether {@link #record} takes records now; checked before serving. */
    boolean accepting();

    /** Records made durable and not yet delivered to the billing job. */
    long undelivered();
}
