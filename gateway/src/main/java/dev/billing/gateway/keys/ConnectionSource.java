package dev.billing.gateway.keys;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a new connection to the PostgreSQL of the keys; the caller closes it. */
@FunctionalInterface
public interface ConnectionSource {
    Connection open() throws SQLException;
}
