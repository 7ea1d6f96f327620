package dev.billing.gateway;

/** Where the gateway reports the usage of the requests it served. */
public interface UsageSink extends AutoCloseable {
    /** Hands the record over without waiting for it to be stored. */
    void emit(UsageRecord record);

    /** Records handed over whose delivery failed for good. */
    long failed();
}
