package dev.billing.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/**
 * Finds a PostgreSQL to use: {@code BILLING_JDBC_URL} (with {@code BILLING_JDBC_USER} and
 * {@code BILLING_JDBC_PASSWORD}) when set, else the server on localhost:5432, else an embedded
 * PostgreSQL started from the zonky binaries where the OS allows it.
 */
public final class LocalPostgres implements AutoCloseable {
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";

    public final String jdbcUrl;
    public final String user;
    public final String password;
    private final EmbeddedPostgres embedded;

    private LocalPostgres(String jdbcUrl, String user, String password, EmbeddedPostgres embedded) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    public static LocalPostgres locate(Consumer<String> log) {
        String url = System.getenv("BILLING_JDBC_URL");
        String user = envOr("BILLING_JDBC_USER", "postgres");
        String password = envOr("BILLING_JDBC_PASSWORD", "");
        if (url != null && !url.isBlank()) {
            String problem = tryConnect(url, user, password);
            if (problem != null) {
                throw new IllegalStateException("BILLING_JDBC_URL=" + url + " is set but PostgreSQL answers: "
                        + problem + ". Fix the URL (and BILLING_JDBC_USER / BILLING_JDBC_PASSWORD) or unset it.");
            }
            log.accept("PostgreSQL: " + url + " (from BILLING_JDBC_URL)");
            return new LocalPostgres(url, user, password, null);
        }
        String problem = tryConnect(DEFAULT_URL, user, password);
        if (problem == null) {
            log.accept("PostgreSQL: " + DEFAULT_URL);
            return new LocalPostgres(DEFAULT_URL, user, password, null);
        }
        log.accept("No PostgreSQL on localhost:5432 (" + problem + "); starting an embedded one ...");
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            String embeddedUrl = pg.getJdbcUrl("postgres", "postgres");
            log.accept("PostgreSQL: embedded, " + embeddedUrl);
            return new LocalPostgres(embeddedUrl, "postgres", "", pg);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("No PostgreSQL available: nothing on localhost:5432 (" + problem
                    + ") and the embedded PostgreSQL could not start (" + e.getMessage() + "). Start a PostgreSQL"
                    + " server, or point BILLING_JDBC_URL at one, e.g."
                    + " BILLING_JDBC_URL=jdbc:postgresql://db.example:5432/billing", e);
        }
    }

    /** A URL for a fresh, empty schema in the same database, for isolated test runs; {@code schema} is a {@link SchemaName}. */
    public String freshSchema(String schema) {
        String quoted = SchemaName.quoted(schema);
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + quoted + " CASCADE");
            s.execute("CREATE SCHEMA " + quoted);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema + ": " + e.getMessage(), e);
        }
        return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    public void close() throws IOException {
        if (embedded != null) {
            embedded.close();
        }
    }

    private static String tryConnect(String url, String user, String password) {
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return c.isValid(5) ? null : "connection not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
