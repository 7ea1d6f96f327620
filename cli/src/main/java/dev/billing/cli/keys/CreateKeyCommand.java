package dev.billing.cli.keys;

import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.keys.ApiKeyTable;
import java.security.SecureRandom;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bin/billing keys create}: a new key, printed once; the last line of stdout is the key alone. */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create an API key for an account and print it once: the last line of the output is the key"
                + " alone (KEY=$(bin/billing keys create ... | tail -1)). Only its SHA-256 is stored."})
public class CreateKeyCommand implements Callable<Integer> {
    @Option(names = "--account", required = true, description = "The account the key spends from.")
    String account;

    @Option(names = "--name", description = "A label to tell the account's keys apart, e.g. ci or laptop.")
    String name;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (Connection c = KeyDatabase.open(database)) {
            ApiKeyTable.Created created;
            try {
                created = new ApiKeyTable(c).create(account, name, new SecureRandom());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            System.out.println("Created key " + created.info().keyId() + " for account " + account
                    + (name == null ? "" : " (" + name + ")") + ". It is shown only now: keep it secret.");
            System.out.println(created.key().text());
            System.out.flush();
        }
        return 0;
    }
}
