package dev.billing.gateway.client.admission;

import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.UsagePosition;
import java.math.BigDecimal;

/**
 * A balance the billing job published, with the status version it came in and the newest usage
 * it includes. An account the job has published nothing for yet has its free credits, version 0,
 * and includes no usage.
 *
 * @param position the newest usage record the balance includes; null when none
 */
public record PublishedBalance(long version, BigDecimal balanceUsd, UsagePosition position) {

    /**
     * Whether this balance replaces {@code kept}: a newer version whose position is not behind the
     * kept one's on the same partition (a job restored from a checkpoint publishes its state's
     * balance again under a new version before it has replayed the usage since). The same rule as
     * {@link PostgresReservations}' SQL.
     */
    boolean replaces(PublishedBalance kept) {
        return version > kept.version && (kept.position == null || position == null
                || position.partition() != kept.position.partition() || position.offset() >= kept.position.offset());
    }

    /** The balance of {@code status}, or {@code freeCreditsUsd} when the job has published none for the account. */
    static PublishedBalance of(AccountStatus status, BigDecimal freeCreditsUsd) {
        if (status == null) {
            return new PublishedBalance(0, freeCreditsUsd, null);
        }
        if (status.balanceUsd() == null) {
            throw new IllegalArgumentException("the status of " + status.accountId() + " has no balance_usd");
        }
        return new PublishedBalance(status.version(), status.balanceUsd(), status.usagePosition());
    }
}
