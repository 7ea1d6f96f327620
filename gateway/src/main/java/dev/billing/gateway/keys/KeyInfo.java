package dev.billing.gateway.keys;

import java.time.Instant;

/**
 * What may be shown about a key: everything but its secret, which is never stored.
 *
 * @param name the owner's label, or null
 * @param revokedAt when it was revoked, or null while it works
 */
public record KeyInfo(String keyId, String accountId, String name, Instant createdAt, Instant revokedAt) {
    public boolean revoked() {
        return revokedAt != null;
    }
}
