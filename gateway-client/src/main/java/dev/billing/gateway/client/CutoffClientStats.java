package dev.billing.gateway.client;

import java.time.Duration;

/**
 * A snapshot of a {@link CutoffClient}'s health, for metrics and health endpoints.
 *
 * @param bootstrapped the client has read the whole topic once
 * @param stale the copy is older than the maximum staleness (a fail-closed client refuses requests)
 * @param staleness time since the copy was last confirmed complete (since start before bootstrap)
 * @param lag status messages on the broker that the client has not applied yet, as last seen
 * @param accounts accounts with a known status
 * @param blockedAccounts accounts whose known status is BLOCKED
 * @param updatesApplied status messages that replaced an account's status
 * @param staleUpdatesIgnored status messages ignored because their version was not newer
 * @param malformedMessages messages that are not status messages, skipped
 * @param bootstrapTime how long the first full read took; null before bootstrap
 * @param lastError the newest problem talking to Kafka, or null
 */
public record CutoffClientStats(boolean bootstrapped, boolean stale, Duration staleness, long lag, int accounts,
        long blockedAccounts, long updatesApplied, long staleUpdatesIgnored, long malformedMessages,
        Duration bootstrapTime, String lastError) {}
