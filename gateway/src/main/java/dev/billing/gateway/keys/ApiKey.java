package dev.billing.gateway.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * An API key as a customer holds it: {@code sk-live-<key_id>-<secret>}, where {@code key_id} is
 * {@code key_} and 16 lower-case hex digits (8 random bytes, public: it names the key in lists,
 * revocations and usage records) and {@code secret} is 32 random bytes in unpadded base64url (43
 * characters). Every part has a fixed length, so the dashes and underscores of base64url cannot
 * make a key ambiguous, and the id is read without a lookup. Only {@link #sha256()} of the whole
 * text is stored.
 */
public final class ApiKey {
    public static final String PREFIX = "sk-live-";
    static final String ID_PREFIX = "key_";
    private static final int ID_BYTES = 8;
    private static final int SECRET_BYTES = 32;
    private static final int ID_LENGTH = ID_PREFIX.length() + 2 * ID_BYTES;
    private static final int SECRET_LENGTH = 43; // unpadded base64 of 32 bytes
    private static final int LENGTH = PREFIX.length() + ID_LENGTH + 1 + SECRET_LENGTH;
    private static final String BEARER = "Bearer ";

    private final String keyId;
    private final String text;

    private ApiKey(String keyId, String text) {
        this.keyId = keyId;
        this.text = text;
    }

    /** A new key; {@code random} should be a {@link SecureRandom}, as anything else is guessable. */
    public static ApiKey generate(SecureRandom random) {
        byte[] id = new byte[ID_BYTES];
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(id);
        random.nextBytes(secret);
        String keyId = ID_PREFIX + HexFormat.of().formatHex(id);
        return new ApiKey(keyId, PREFIX + keyId + "-" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The key in {@code text}, or empty when it is not one in this format. */
    public static Optional<ApiKey> parse(String text) {
        if (text == null || text.length() != LENGTH || !text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String keyId = text.substring(PREFIX.length(), PREFIX.length() + ID_LENGTH);
        int dash = PREFIX.length() + ID_LENGTH;
        if (!isKeyId(keyId) || text.charAt(dash) != '-') {
            return Optional.empty();
        }
        for (int i = dash + 1; i < LENGTH; i++) {
            if (!isBase64Url(text.charAt(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(new ApiKey(keyId, text));
    }

    /** The key of an {@code Authorization: Bearer <key>} header, or empty. */
    public static Optional<ApiKey> fromAuthorization(String header) {
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        return parse(header.substring(BEARER.length()).strip());
    }

    /** Whether {@code s} has the form of a key id ({@code key_} and 16 lower-case hex digits). */
    public static boolean isKeyId(String s) {
        if (s == null || s.length() != ID_LENGTH || !s.startsWith(ID_PREFIX)) {
            return false;
        }
        for (int i = ID_PREFIX.length(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    public String keyId() {
        return keyId;
    }

    /** The whole key, secret included: print it once, never log it. */
    public String text() {
        return text;
    }

    /** What the table stores and compares: SHA-256 of the key's text. */
    public byte[] sha256() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The id only, so that a key in a log or an exception message leaks nothing. */
    @Override
    public String toString() {
        return "ApiKey[" + keyId + "]";
    }

    private static boolean isBase64Url(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_';
    }
}
