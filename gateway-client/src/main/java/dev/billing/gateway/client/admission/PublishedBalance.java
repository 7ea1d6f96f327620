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
