package dev.billing.cli.keys;

import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.keys.ApiKey;
import dev.billing.gateway.keys.ApiKeyTable;
import dev.billing.gateway.keys.KeyInfo;
import dev.billing.gateway.keys.PostgresKeyStore;
import java.sql.Connection;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/billing keys revoke KEY_ID}: the key stops working; revoking it again changes nothing. */
@Command(name = "revoke", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Revoke an API key: gateways refuse it within their --key-cache-ttl (2 s by default)."
                + " Revoking a revoked key keeps its first revocation time."})
public class RevokeKeyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "KEY_ID", description = "The key's id (key_ and 16 hex digits, as keys list shows it).")
    String keyId;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!ApiKey.isKeyId(keyId)) {
            throw new ParameterException(spec.commandLine(), "'" + keyId + "' is not a key id: an id is key_ and 16"
                    + " hex digits, the part of the key after " + ApiKey.PREFIX + " (see keys list --account ...).");
        }
        Optional<KeyInfo> revoked;
        try (Connection c = KeyDatabase.open(database)) {
            revoked = new ApiKeyTable(c).revoke(keyId);
        }
        if (revoked.isEmpty()) {
            throw new IllegalStateException("There is no key " + keyId + " in " + database.describe()
                    + "; keys list --account ... shows an account's keys.");
        }
        KeyInfo k = revoked.get();
        System.out.println("Revoked key " + k.keyId() + " of account " + k.accountId() + " (at " + k.revokedAt()
                + "); gateways refuse it within their key cache time (" + PostgresKeyStore.DEFAULT_CACHE_TTL.toSeconds()
                + " s by default).");
        return 0;
    }
}
