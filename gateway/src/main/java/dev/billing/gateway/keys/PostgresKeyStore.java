package dev.billing.gateway.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import com.zaxxer.hikari.HikariDataSource;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.DatabasePool;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates {@code Authorization: Bearer sk-live-…} against the {@code api_keys} table. A
 * key is found by its id and its SHA-256 compared in constant time ({@link MessageDigest#isEqual}),
 * so the answer's timing tells nothing about how much of a secret was right.
 *
 * <p>Each found id's row is cached for {@code cacheTtl}, 2 s by default: a gateway asks PostgreSQL
 * at most once per key and period however busy the key, and a key revoked in the table is refused
 * within that time plus one lookup. The cache holds rows, not verdicts, so a wrong secret for a
 * cached id is still refused. An id the table does not have is remembered as unknown for
 * {@link #UNKNOWN_TTL}, up to {@link #MAX_UNKNOWN_IDS} ids: a client repeating a made-up key costs
 * one lookup per period, and a key whose id was looked up before it was created is accepted
 * within that time. Concurrent lookups of one id share one query.
 *
 * <p>Lookups of different ids run concurrently on a pool of connections. Ids not found in the last
 * {@link #KNOWN_TTL} (made-up keys, and real ones not used for that long) may hold all but
 * {@link #RESERVED_FOR_KNOWN} of them at a time: a flood of random well-formed keys waits for its
 * own share of the pool, or gets 503, while the keys in use keep being looked up at once. When
 * PostgreSQL cannot answer, {@link #authenticate} throws {@link Authenticator.Unavailable} and the
 * gateway answers 503: neither serving an unchecked key nor refusing a good one as unknown.
 */
public final class PostgresKeyStore implements Authenticator, AutoCloseable {
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofSeconds(2);
    static final long MAX_CACHED_IDS = 100_000;
    /** How long an id the table does not have is answered as unknown without asking again. */
    public static final Duration UNKNOWN_TTL = Duration.ofSeconds(30);
    public static final long MAX_UNKNOWN_IDS = 10_000;
    /** How long an id found in the table keeps its place among the keys in use. */
    static final Duration KNOWN_TTL = Duration.ofHours(1);
    /** The key store's connections to PostgreSQL. */
    public static final int POOL_SIZE = 8;
    /** Connections that lookups of ids not known to be in use never take. */
    static final int RESERVED_FOR_KNOWN = 2;
    /** How long a lookup waits for a connection, and how long its query may run. */
    public static final Duration LOOKUP_TIMEOUT = Duration.ofSeconds(2);

    private final ConnectionSource database;
    private final String databaseName;
    private final AutoCloseable owned;
    private final Cache<String, StoredKey> rows;
    private final Cache<String, Boolean> unknown;
    private final Cache<String, Boolean> known;
    private final ConcurrentHashMap<String, CompletableFuture<Optional<StoredKey>>> inFlight =
            new ConcurrentHashMap<>();
    private final Semaphore strangers;

    /**
     * The key store on a pool of {@link #POOL_SIZE} connections with {@link #LOOKUP_TIMEOUT}; it
     * closes the pool when closed.
     */
    public static PostgresKeyStore pooled(DatabaseOptions database, Duration cacheTtl) {
        HikariDataSource pool = DatabasePool.open(database, "gateway-keys", POOL_SIZE, POOL_SIZE, LOOKUP_TIMEOUT);
        return new PostgresKeyStore(pool::getConnection, database.describe(), cacheTtl, Ticker.systemTicker(), pool,
                POOL_SIZE);
    }

    /**
     * @param database where each lookup gets its connection (and closes it after)
     * @param databaseName how errors name the database (a redacted URL)
     */
    public PostgresKeyStore(ConnectionSource database, String databaseName, Duration cacheTtl) {
        this(database, databaseName, cacheTtl, Ticker.systemTicker(), null, POOL_SIZE);
    }

    PostgresKeyStore(ConnectionSource database, String databaseName, Duration cacheTtl, Ticker ticker,
            AutoCloseable owned, int connections) {
        this.database = database;
        this.databaseName = databaseName;
        this.owned = owned;
        this.rows = Caffeine.newBuilder().expireAfterWrite(cacheTtl).maximumSize(MAX_CACHED_IDS).ticker(ticker).build();
        this.unknown = Caffeine.newBuilder().expireAfterWrite(UNKNOWN_TTL).maximumSize(MAX_UNKNOWN_IDS).ticker(ticker)
                .build();
        this.known = Caffeine.newBuilder().expireAfterWrite(KNOWN_TTL).maximumSize(MAX_CACHED_IDS).ticker(ticker)
                .build();
        this.strangers = new Semaphore(Math.max(1, connections - RESERVED_FOR_KNOWN), true);
    }

    @Override
    public Optional<Caller> authenticate(String authorizationHeader) {
        Optional<ApiKey> presented = ApiKey.fromAuthorization(authorizationHeader);
        if (presented.isEmpty()) {
            return Optional.empty();
        }
        ApiKey key = presented.get();
        return row(key.keyId())
                .filter(r -> !r.revoked() && MessageDigest.isEqual(r.secretSha256(), key.sha256()))
                .map(r -> new Caller(r.accountId(), r.keyId()));
    }

    private Optional<StoredKey> row(String keyId) {
        StoredKey cached = rows.getIfPresent(keyId);
        if (cached != null) {
            return Optional.of(cached);
        }
        if (unknown.getIfPresent(keyId) != null) {
            return Optional.empty();
        }
        CompletableFuture<Optional<StoredKey>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<StoredKey>> running = inFlight.putIfAbsent(keyId, mine);
        if (running != null) {
            return awaitOther(running);
        }
        try {
            Optional<StoredKey> found = known.getIfPresent(keyId) != null ? lookup(keyId) : lookupAsStranger(keyId);
            if (found.isPresent()) {
                rows.put(keyId, found.get());
                known.put(keyId, Boolean.TRUE);
            } else {
                unknown.put(keyId, Boolean.TRUE);
            }
            mine.complete(found);
            return found;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(keyId, mine);
        }
    }

    private static Optional<StoredKey> awaitOther(CompletableFuture<Optional<StoredKey>> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private Optional<StoredKey> lookupAsStranger(String keyId) {
        boolean admitted;
        try {
            admitted = strangers.tryAcquire(LOOKUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("Interrupted while waiting to look up an API key", e);
        }
        if (!admitted) {
            throw new Unavailable("Too many lookups of API keys not in use are waiting for " + databaseName, null);
        }
        try {
            return lookup(keyId);
        } finally {
            strangers.release();
        }
    }

    /**
     * Checks that the table is there and answers, so that a gateway started against the wrong
     * database says so at once rather than refusing every key.
     */
    public void check() {
        try (Connection c = database.open()) {
            new ApiKeyTable(c).find(ApiKey.ID_PREFIX + "0000000000000000");
        } catch (SQLException e) {
            String reason = "42P01".equals(e.getSQLState())
                    ? "it has no api_keys table. Create a key first (bin/billing keys create applies the schema)"
                            + " or start the billing job against it"
                    : reason(e) + ". Check --jdbc-url, --jdbc-user and the password";
            throw new IllegalStateException("Cannot check API keys in " + databaseName + ": " + reason + ".", e);
        }
    }

    private Optional<StoredKey> lookup(String keyId) {
        try {
            return find(keyId);
        } catch (SQLException first) {
            // the connection may have broken since its last use (a PostgreSQL restart): one fresh try
            try {
                return find(keyId);
            } catch (SQLException again) {
                again.addSuppressed(first);
                throw new Unavailable("Cannot look up API keys in " + databaseName + ": " + reason(again), again);
            }
        }
    }

    private Optional<StoredKey> find(String keyId) throws SQLException {
        try (Connection c = database.open()) {
            return new ApiKeyTable(c).find(keyId);
        }
    }

    /** The driver's own words when the pool only says it timed out waiting for a connection. */
    private static String reason(SQLException e) {
        return e.getCause() instanceof SQLException cause ? e.getMessage() + " (" + cause.getMessage() + ")"
                : e.getMessage();
    }

    /** Ids remembered as unknown now. */
    long unknownIds() {
        unknown.cleanUp();
        return unknown.estimatedSize();
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException("Cannot close the key store's connections: " + e.getMessage(), e);
            }
        }
    }
}
