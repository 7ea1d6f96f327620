package dev.billing.cli.keys;

import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.keys.ApiKeyTable;
import dev.billing.gateway.keys.KeyInfo;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bin/billing keys list}: an account's keys without their secrets, which are not stored. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List an account's API keys, revoked ones included: id, name, created, revoked. Secrets are"
                + " never shown (they are not stored)."})
public class ListKeysCommand implements Callable<Integer> {
    private static final String ROW = "%-20s  %-20s  %-27s  %s%n";

    @Option(names = "--account", required = true, description = "The account whose keys to list.")
    String account;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Override
    public Integer call() throws Exception {
        List<KeyInfo> keys;
        try (Connection c = KeyDatabase.open(database)) {
            keys = new ApiKeyTable(c).list(account);
        }
        if (keys.isEmpty()) {
            System.out.println("Account " + account + " has no API keys; bin/billing keys create --account " + account
                    + " makes one.");
            return 0;
        }
        System.out.printf(ROW, "KEY_ID", "NAME", "CREATED", "REVOKED");
        for (KeyInfo k : keys) {
            System.out.printf(ROW, k.keyId(), k.name() == null ? "-" : k.name(), k.createdAt(),
                    k.revoked() ? k.revokedAt() : "-");
        }
        System.out.flush();
        return 0;
    }
}
