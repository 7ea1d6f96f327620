package dev.billing.gateway;

import java.util.Optional;

/**
 * Who sent a request: the account (and key) of its {@code Authorization: Bearer <key>} header.
 * Every endpoint behind a key asks one of these; the answer is empty for a missing, unknown or
 * revoked key, which the endpoint answers with 401.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * The caller of a request with this header, or empty for a missing, unknown or revoked key.
     *
     * @throws Unavailable when the keys cannot be checked now (their database is unreachable)
     */
    Optional<Caller> authenticate(String authorizationHeader);

    /**
     * An authenticated caller.
     *
     * @param accountId the account the key spends from
     * @param keyId the key's public id, or null where keys have none (the demo scheme)
     */
    record Caller(String accountId, String keyId) {}

    /** The keys cannot be checked now: the request is neither allowed nor refused, and may be retried. */
    class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
