package dev.billing.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class PrivatePostgresTest {
    @Test
    void startsStopsAndStartsAgainKeepingItsData() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start(Path.of("target", "private-postgres-test").toAbsolutePath())) {
            String url = pg.jdbcUrl("postgres");
            execute(url, "CREATE TABLE kept (v text)");
            execute(url, "INSERT INTO kept VALUES ('before the stop')");

            pg.stop();
            assertThatThrownBy(() -> execute(url, "SELECT 1")).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).startsWith("08"));

            pg.start();
            try (Connection c = DriverManager.getConnection(url, "postgres", "");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("before the stop");
            }
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
