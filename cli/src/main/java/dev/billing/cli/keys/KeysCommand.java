package dev.billing.cli.keys;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/billing keys}: the API keys customers send as {@code Authorization: Bearer <key>}. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Create, list and revoke the API keys the reference gateway accepts. A key is shown once, when"
                + " it is created; PostgreSQL keeps only its SHA-256 (table api_keys). Gateways refuse a revoked key"
                + " within their --key-cache-ttl (2 s by default)."},
        subcommands = {CreateKeyCommand.class, ListKeysCommand.class, RevokeKeyCommand.class})
public class KeysCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Name what to do: keys create, keys list or keys revoke.");
    }
}
