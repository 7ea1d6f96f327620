package dev.billing.gateway.client;

/**
 * Where a usage record landed on the {@code usage-records} topic. A status that names a position
 * has a balance that includes the cost of every usage record of its account up to that offset of
 * that partition (an account's records are on one partition, in order).
 */
public record UsagePosition(int partition, long offset) {

    /** True when a balance at this position includes the record at {@code record}. */
    public boolean covers(UsagePosition record) {
        return record.partition == partition && record.offset <= offset;
    }
}
