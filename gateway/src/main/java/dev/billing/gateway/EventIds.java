package dev.billing.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code event_id} of a purchase, derived from the account and the client's
 * {@code Idempotency-Key}: a retried POST sends the same id, and the billing job applies an
 * event id once per account (for its billing window), so the retry buys nothing more. A hash keeps
 * the id short and free of whatever characters the client's key holds.
 */
final class EventIds {
    private EventIds() {}

    static String purchase(String accountId, String idempotencyKey) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        // a separator no account id holds: ("a", "bc") and ("ab", "c") differ
        sha256.update(accountId.getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) 0);
        sha256.update(idempotencyKey.getBytes(StandardCharsets.UTF_8));
        return "credits-" + HexFormat.of().formatHex(sha256.digest(), 0, 16);
    }
}
