package dev.billing.ledger;

/**
 * A row of {@code usage_hourly}: one account's {@link UsageRollup} of a (model, UTC hour), whole
 * totals, with the account's version when the row was made (an upsert never replaces a newer row).
 */
public class UsageHourlyRow {
    public String accountId;
    public UsageRollup totals;
    public long version;

    public UsageHourlyRow() {}

    public UsageHourlyRow(String accountId, UsageRollup totals, long version) {
        this.accountId = accountId;
        this.totals = totals;
        this.version = version;
    }

    @Override
    public String toString() {
        return accountId + "/" + totals.model + "/" + totals.hourStartMs + " requests=" + totals.requests
                + " cost=" + totals.costUsd;
    }
}
