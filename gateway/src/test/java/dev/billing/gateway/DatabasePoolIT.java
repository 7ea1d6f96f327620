package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariDataSource;
import dev.billing.embedded.LocalPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The customer side's pools against the real PostgreSQL: nothing waits past the timeout. */
class DatabasePoolIT {
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static LocalPostgres postgres;
    private static DatabaseOptions database;

    @BeforeAll
    static void locate() {
        postgres = LocalPostgres.locate(System.out::println);
        database = new DatabaseOptions(postgres.freshSchema("it_database_pool"), postgres.user, postgres.password);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aStatementLongerThanTheTimeoutIsCancelledByPostgres() throws Exception {
        try (HikariDataSource pool = DatabasePool.open(database, "it-pool", 1, 1, TIMEOUT);
                Connection c = pool.getConnection();
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("500ms");
            }
            long start = System.nanoTime();
            SQLException cancelled = catchThrowableOfType(SQLException.class, () -> s.execute("SELECT pg_sleep(30)"));
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(cancelled.getSQLState()).as("query_canceled").isEqualTo("57014");
            assertThat(tookMs).isLessThan(10_000);
        }
    }

    @Test
    void aCallerWaitsForABusyPoolOnlyUntilTheTimeout() throws Exception {
        try (HikariDataSource pool = DatabasePool.open(database, "it-pool-busy", 1, 1, TIMEOUT);
                Connection taken = pool.getConnection()) {
            long start = System.nanoTime();
            SQLException timedOut = catchThrowableOfType(SQLException.class, () -> pool.getConnection().close());
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(timedOut.getMessage()).contains("it-pool-busy");
            assertThat(tookMs).isBetween(TIMEOUT.toMillis() - 50, 10_000L);
            assertThat(taken.isValid(1)).isTrue();
        }
    }
}
