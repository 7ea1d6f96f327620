package dev.billing.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The PostgreSQL the customer side reads and writes (keys, balances, usage): the same options,
 * with the same defaults, as the billing job's, so one {@code @options} file serves both.
 */
public class DatabaseOptions {
    @Option(names = "--jdbc-url", defaultValue = "jdbc:postgresql://localhost:5432/postgres",
            description = "PostgreSQL where the billing job writes (API keys, balances, usage) (default: ${DEFAULT-VALUE}).")
    String jdbcUrl;

    @Option(names = "--jdbc-user", defaultValue = "postgres", description = "PostgreSQL user (default: ${DEFAULT-VALUE}).")
    String jdbcUser;

    @Option(names = "--jdbc-password", defaultValue = "${env:BILLING_JDBC_PASSWORD:-}",
            description = "PostgreSQL password (default: the BILLING_JDBC_PASSWORD environment variable).")
    String jdbcPassword;

    @Option(names = "--jdbc-password-file",
            description = "Read the PostgreSQL password from the first line of this file instead (a mounted secret).")
    Path jdbcPasswordFile;

    public DatabaseOptions() {}

    /** For tests and embedding: a URL, user and password. */
    public DatabaseOptions(String jdbcUrl, String jdbcUser, String jdbcPassword) {
        this.jdbcUrl = jdbcUrl;
        this.jdbcUser = jdbcUser;
        this.jdbcPassword = jdbcPassword;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** The URL without its parameters and user info, which may carry secrets: for messages. */
    public String describe() {
        return jdbcUrl.replaceFirst("[?;].*$", "").replaceFirst("//[^/@]*@", "//");
    }

    public String jdbcUser() {
        return jdbcUser;
    }

    /** A new connection; the caller closes it. */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", jdbcUser);
        String password = password();
        if (!password.isEmpty()) {
            props.setProperty("password", password);
        }
        return DriverManager.getConnection(jdbcUrl, props);
    }

    /** The password: from --jdbc-password-file when given, else --jdbc-password; empty for none. */
    public String password() {
        if (jdbcPasswordFile == null) {
            return jdbcPassword == null ? "" : jdbcPassword;
        }
        try {
            return Files.readAllLines(jdbcPasswordFile).stream().findFirst().orElse("").strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read --jdbc-password-file " + jdbcPasswordFile + ": " + e.getMessage(), e);
        }
    }
}
