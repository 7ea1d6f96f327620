package dev.billing.gateway.keys;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The {@code api_keys} table (sql/V5__api_keys.sql) over one connection the caller owns. */
public final class ApiKeyTable {
    /** The longest account id a usage record may carry (schemas/usage-record.schema.json). */
    static final int MAX_ACCOUNT_ID_LENGTH = 256;
    static final int MAX_NAME_LENGTH = 200;
    private static final int QUERY_TIMEOUT_SECONDS = 5;
    private static final String INFO_COLUMNS = "key_id, account_id, name, created_at, revoked_at";

    private final Connection connection;

    public ApiKeyTable(Connection connection) {
        this.connection = connection;
    }

    /** A new key for the account, stored as its hash. The returned key is the only copy of its secret. */
    public Created create(String accountId, String name, SecureRandom random) throws SQLException {
        checkAccountId(accountId);
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("The key name has " + name.length() + " characters; use at most "
                    + MAX_NAME_LENGTH + ".");
        }
        ApiKey key = ApiKey.generate(random);
        try (PreparedStatement s = connection.prepareStatement("INSERT INTO api_keys (key_id, account_id, name,"
                + " secret_sha256) VALUES (?, ?, ?, ?) RETURNING " + INFO_COLUMNS)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, key.keyId());
            s.setString(2, accountId);
            s.setString(3, name);
            s.setBytes(4, key.sha256());
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return new Created(key, info(rs));
            }
        }
    }

    /** The key with this id, revoked or not, for authentication. */
    Optional<StoredKey> find(String keyId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(
                "SELECT account_id, secret_sha256, revoked_at IS NOT NULL FROM api_keys WHERE key_id = ?")) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, keyId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next()
                        ? Optional.of(new StoredKey(keyId, rs.getString(1), rs.getBytes(2), rs.getBoolean(3)))
                        : Optional.empty();
            }
        }
    }

    /** The account's keys, oldest first, revoked ones included. */
    public List<KeyInfo> list(String accountId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("SELECT " + INFO_COLUMNS
                + " FROM api_keys WHERE account_id = ? ORDER BY created_at, key_id")) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, accountId);
            List<KeyInfo> keys = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    keys.add(info(rs));
                }
            }
            return keys;
        }
    }

    /** Revokes the key (a second revocation keeps the first time); empty when there is no such key. */
    public Optional<KeyInfo> revoke(String keyId) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement("UPDATE api_keys"
                + " SET revoked_at = coalesce(revoked_at, now()) WHERE key_id = ? RETURNING " + INFO_COLUMNS)) {
            s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            s.setString(1, keyId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(info(rs)) : Optional.empty();
            }
        }
    }

    /** An account id the billing job accepts in a usage record: 1 to 256 characters, no spaces or control characters. */
    static void checkAccountId(String accountId) {
        if (accountId == null || accountId.isEmpty() || accountId.length() > MAX_ACCOUNT_ID_LENGTH) {
            throw new IllegalArgumentException("An account id has 1 to " + MAX_ACCOUNT_ID_LENGTH + " characters.");
        }
        for (int i = 0; i < accountId.length(); i++) {
            char c = accountId.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("The account id '" + accountId
                        + "' contains a space or a control character; use the id the billing job knows the account by.");
            }
        }
    }

    private static KeyInfo info(ResultSet rs) throws SQLException {
        return new KeyInfo(rs.getString(1), rs.getString(2), rs.getString(3), instant(rs, 4), instant(rs, 5));
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    /** A key just made: its text (printed once) and its row. */
    public record Created(ApiKey key, KeyInfo info) {}
}
