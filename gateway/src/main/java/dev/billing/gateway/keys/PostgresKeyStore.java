package dev.billing.gateway.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.billing.gateway.Authenticator;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer sk-live-…} against the {@code api_keys} table. A
 * key is found by its id and its SHA-256 compared in constant time ({@link MessageDigest#isEqual}),
 * so the answer's timing tells nothing about how much of a secret was right.
 *
 * <p>Each id's row (or its absence) is cached for {@code cacheTtl}, 2 s by default: a gateway asks
 * PostgreSQL at most once per key and period however busy the key, and a key revoked or created
 * in the table is refused or accepted within that time plus one lookup. The cache holds rows, not
 * verdicts, so a wrong secret for a cached id is still refused. Unknown ids are cached too (a
 * flood of made-up keys costs one lookup each per period), up to {@link #MAX_CACHED_IDS} ids.
 *
 * <p>One connection, opened on first use and reopened once when a lookup fails on it; when
 * PostgreSQL cannot answer, {@link #authenticate} throws {@link Authenticator.Unavailable} and the
 * gateway answers 503: neither serving an unchecked key nor refusing a good one as unknown.
 */
public final class PostgresKeyStore implements Authenticator, AutoCloseable {
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(2);
    static final long MAX_CACHED_IDS = 100_000;

    private final ConnectionSource database;
    private final String databaseName;
    private final Cache<String, Optional<StoredKey>> rows;
    private Connection connection; // guarded by this

    /**
     * @param databaseName how errors name the database (a redacted URL)
     */
    public PostgresKeyStore(ConnectionSource database, String databaseName, Duration cacheTtl) {
        this(database, databaseName, cacheTtl, Ticker.systemTicker());
    }

    PostgresKeyStore(ConnectionSource database, String databaseName, Duration cacheTtl, Ticker ticker) {
        this.database = database;
        this.databaseName = databaseName;
        this.rows = Caffeine.newBuilder()
                .expireAfterWrite(cacheTtl)
                .maximumSize(MAX_CACHED_IDS)
                .ticker(ticker)
                .build();
    }

    @Override
    public Optional<Caller> authenticate(String authorizationHeader) {
        Optional<ApiKey> presented = ApiKey.fromAuthorization(authorizationHeader);
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        ApiKey key = presented.get();
        Optional<StoredKey> row = rows.get(key.keyId(), this::lookup);
        return row.filter(r -> !r.revoked() && MessageDigest.isEqual(r.secretSha256(), key.sha256()))
                .map(r -> new Caller(r.accountId(), r.keyId()));
    }

    /**
     * Checks that the table is there and answers, so that a gateway started against the wrong
     * database says so at once rather than refusing every key.
     */
    public synchronized void check() {
        try {
            new ApiKeyTable(connection()).find(ApiKey.ID_PREFIX + "0000000000000000");
        } catch (SQLException e) {
            closeConnection();
            String reason = "42P01".equals(e.getSQLState())
                    ? "it has no api_keys table. Create a key first (bin/billing keys create applies the schema)"
                            + " or start the billing job against it"
                    : e.getMessage() + ". Check --jdbc-url, --jdbc-user and the password";
            throw new IllegalStateException("Cannot check API keys in " + databaseName + ": " + reason + ".", e);
        }
    }

    private synchronized Optional<StoredKey> lookup(String keyId) {
        try {
            return new ApiKeyTable(connection()).find(keyId);
        } catch (SQLException first) {
            // the connection may have broken since its last use (a PostgreSQL restart): one fresh try
            closeConnection();
            try {
                return new ApiKeyTable(connection()).find(keyId);
            } catch (SQLException again) {
                closeConnection();
                again.addSuppressed(first);
                throw new Unavailable("Cannot look up API keys in " + databaseName + ": " + again.getMessage(), again);
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = database.open();
        }
        return connection;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // it is being dropped because it failed
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        closeConnection();
    }
}
