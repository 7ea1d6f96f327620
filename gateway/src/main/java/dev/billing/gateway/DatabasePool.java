package dev.billing.gateway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;

/**
 * A bounded pool of connections to the customer side's PostgreSQL where nothing waits without
 * end: a connection is handed out, a statement runs, and a socket read returns within a time, so
 * a slow or unreachable database turns into a 503 rather than into handler threads piling up.
 * The pool starts without the database (the gateway waits for it, answering 503 meanwhile).
 */
public final class DatabasePool {
    private DatabasePool() {}

    /**
     * A pool of at most {@code maxConnections}, keeping {@code minIdle} open between uses.
     *
     * @param timeout how long a caller waits for a connection, and how long one statement may run
     *     ({@code statement_timeout}, enforced by PostgreSQL); a socket read gives up after twice
     *     that, for a server that stopped answering altogether
     */
    public static HikariDataSource open(DatabaseOptions database, String name, int maxConnections, int minIdle,
            Duration timeout) {
        HikariConfig pool = new HikariConfig();
        pool.setPoolName(name);
        pool.setJdbcUrl(database.jdbcUrl());
        pool.setUsername(database.jdbcUser());
        if (!database.password().isEmpty()) {
            pool.setPassword(database.password());
        }
        pool.setMaximumPoolSize(maxConnections);
        pool.setMinimumIdle(Math.min(minIdle, maxConnections));
        pool.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        pool.setValidationTimeout(Math.max(250, Math.min(timeout.toMillis(), 5_000)));
        pool.setInitializationFailTimeout(-1);
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        pool.addDataSourceProperty("connectTimeout", Long.toString(seconds));
        pool.addDataSourceProperty("socketTimeout", Long.toString(2 * seconds));
        pool.addDataSourceProperty("options", "-c statement_timeout=" + timeout.toMillis());
        return new HikariDataSource(pool);
    }
}
