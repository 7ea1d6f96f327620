package dev.billing.gateway;

/**
 * The reference gateway's authentication: the bearer token {@code sk-<account_id>} names the
 * account. A real gateway looks its keys up; the billing side only needs the account id.
 */
final class ApiKeys {
    static final String PREFIX = "sk-";
    private static final String BEARER = "Bearer ";
    private static final int MAX_ACCOUNT_ID_LENGTH = 256;

    private ApiKeys() {}

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
