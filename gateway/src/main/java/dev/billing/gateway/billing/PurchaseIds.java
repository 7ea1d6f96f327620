package dev.billing.gateway.billing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The {@code request_id} of a purchase, derived from the account and the client's
 * {@code Idempotency-Key}: a retried POST makes the same payment request, which the payments
 * service charges once, and its {@code CREDITS_PURCHASED} ({@code event_id}
 * {@code payment/<request_id>}) the billing job applies once. The account is part of the hash, so
 * two accounts that pick the same key make two requests; a hash keeps the id short (an event id
 * has at most 256 characters) and free of whatever characters the client's key holds.
 */
final class PurchaseIds {
    private PurchaseIds() {}

    static String requestId(String accountId, String idempotencyKey) {
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
        return "purchase-" + HexFormat.of().formatHex(sha256.digest(), 0, 16);
    }
}
