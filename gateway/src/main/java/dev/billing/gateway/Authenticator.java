package dev.billing.gateway;

import java.util.Optional;

/**
 * Who sent a request: the account (and key) of its {@code Authorization: Bearer <key>} header.
 * Every endpoint behind a key asks one of these; the answer is empty for a missing, unknown or
 * revoked key, which the endpoint answers with 401.
 */
@FunctionalInterface
public interface Authenticator {

    Optional<Caller> authenticate(String authorizationHeader);

    /**
     * An authenticated caller.
     *
     * @param accountId the account the key spends from
     * @param keyId the key's public id, or null where keys have none (the demo scheme)
     */
    record Caller(String accountId, String keyId) {}
}
