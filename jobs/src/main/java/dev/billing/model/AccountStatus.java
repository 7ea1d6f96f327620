package dev.billing.model;

import java.math.BigDecimal;

/**
 * The gateway-facing state of an account, published to the compacted {@code account-status}
 * topic. {@code version} only grows per account, across restarts too, so consumers can drop
 * stale or replayed updates.
 */
public class AccountStatus {
    public static final String ACTIVE = "ACTIVE";
    public static final String BLOCKED = "BLOCKED";

    public String accountId;
    public String status;
    /** The first reason that holds ({@link BlockReason}), or null when ACTIVE. */
    public String reason;
    /** Every reason that holds, comma separated; empty when ACTIVE. */
    public String reasons;
    public BigDecimal balanceUsd;
    public BigDecimal monthSpendUsd;
    public long version;
    public long asOfMs;
    /** The usage-records position of the newest usage input the balance includes; -1 when none. */
    public int usagePartition = -1;
    public long usageOffset = -1;

    public AccountStatus() {}

    @Override
    public String toString() {
        return accountId + " " + status + (reason == null ? "" : "(" + reasons + ")") + " v" + version
                + " balance=" + balanceUsd;
    }
}
