package dev.billing.job;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies the versioned migrations of {@code sql/} (shipped in the jar under db/migration).
 * Flyway holds a PostgreSQL advisory lock while it migrates, so two jobs starting at once apply
 * each migration once.
 */
public final class Migrations {
    private Migrations() {}

    public static MigrateResult apply(String jdbcUrl, String user, String password) {
        try {
            return Flyway.configure(Migrations.class.getClassLoader())
                    .dataSource(jdbcUrl, user, password)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            // Flyway's first line says what failed; the rest repeats it as SQL state and message
            String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("").strip();
            throw new IllegalStateException("Could not migrate the schema at " + JdbcUrls.redacted(jdbcUrl) + " as "
                    + user + ": " + JdbcUrls.redacted(reason) + (reason.endsWith(".") ? "" : ".")
                    + " Check --jdbc-url, --jdbc-user and BILLING_JDBC_PASSWORD.", e);
        }
    }
}
