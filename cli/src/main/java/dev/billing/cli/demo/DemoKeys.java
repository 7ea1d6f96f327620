package dev.billing.cli.demo;

import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.keys.ApiKeyTable;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo's API keys: one real key per simulated account, made as {@code bin/billing keys create} makes them. */
final class DemoKeys {
    private DemoKeys() {}

    /** Account id to key text, for accounts whose schema the job has migrated. */
    static Map<String, String> create(DatabaseOptions database, List<String> accounts) throws SQLException {
        SecureRandom random = new SecureRandom();
        Map<String, String> keys = new LinkedHashMap<>();
        try (Connection c = database.connect()) {
            ApiKeyTable table = new ApiKeyTable(c);
            for (String account : accounts) {
                keys.put(account, table.create(account, "demo", random).key().text());
            }
        }
        return keys;
    }
}
