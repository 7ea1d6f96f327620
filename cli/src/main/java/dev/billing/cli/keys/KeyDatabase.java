package dev.billing.cli.keys;

import dev.billing.gateway.DatabaseOptions;
import dev.billing.job.Migrations;
import java.sql.Connection;
import java.sql.SQLException;

/** The PostgreSQL of the keys, its schema brought up to date first, so that the commands work on a fresh database. */
final class KeyDatabase {
    private KeyDatabase() {}

    static Connection open(DatabaseOptions database) throws SQLException {
        Migrations.apply(database.jdbcUrl(), database.jdbcUser(), database.password());
        return database.connect();
    }
}
