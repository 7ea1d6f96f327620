package dev.billing.output;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Where a row PostgreSQL refused is kept: table billing_quarantine (sql/V3__billing_quarantine.sql). */
final class Quarantine {
    static final String UPSERT =
            "INSERT INTO billing_quarantine (table_name, row_key, row_data, sqlstate, message, first_seen, last_seen, count)"
                    + " VALUES (?, ?::jsonb, ?::jsonb, ?, ?, now(), now(), 1)"
                    + " ON CONFLICT (table_name, row_key) DO UPDATE SET row_data = EXCLUDED.row_data,"
                    + " sqlstate = EXCLUDED.sqlstate, message = EXCLUDED.message, last_seen = EXCLUDED.last_seen,"
                    + " count = billing_quarantine.count + 1";

    private Quarantine() {}

    static void put(Connection c, String table, String keyJson, String rowJson, String sqlState, String message)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            ps.setString(1, table);
            ps.setString(2, keyJson);
            ps.setString(3, rowJson);
            ps.setString(4, sqlState);
            ps.setString(5, message);
            ps.executeUpdate();
        }
    }
}
