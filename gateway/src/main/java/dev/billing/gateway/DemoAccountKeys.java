package dev.billing.gateway;

import java.util.Optional;

/**
 * The demo's insecure scheme: the bearer token {@code sk-<account_id>} names the account, so
 * knowing an id spends from it. Only for demos and tests; real keys are looked up.
 */
final class DemoAccountKeys implements Authenticator {
    static final String PREFIX = "sk-";
    private static final String BEARER = "Bearer ";
    private static final int MAX_ACCOUNT_ID_LENGTH = 256;

    @Override
    public Optional<Caller> authenticate(String authorizationHeader) {
        return Optional.ofNullable(accountId(authorizationHeader)).map(account -> new Caller(account, null));
    }

    /** The account of an {@code Authorization} header, or null when it carries no valid key. */
    static String accountId(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = authorization.substring(BEARER.length()).trim();
        if (!key.startsWith(PREFIX)) {
            return null;
        }
        String account = key.substring(PREFIX.length());
        if (account.isEmpty() || account.length() > MAX_ACCOUNT_ID_LENGTH) {
            return null;
        }
        for (int i = 0; i < account.length(); i++) {
            char c = account.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return null;
            }
        }
        return account;
    }
}
