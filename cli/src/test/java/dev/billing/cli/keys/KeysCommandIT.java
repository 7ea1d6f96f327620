package dev.billing.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.cli.CliRun;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.keys.ApiKey;
import dev.billing.gateway.keys.PostgresKeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bin/billing keys} against the real PostgreSQL, starting from an empty schema. */
class KeysCommandIT {
    private static LocalPostgres postgres;
    private static String jdbcUrl;

    @BeforeAll
    static void emptySchema() {
        postgres = LocalPostgres.locate(System.out::println);
        jdbcUrl = postgres.freshSchema("it_keys_cli");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void createPrintsAKeyLastThatAuthenticatesListHidesItAndRevokeStopsIt() throws Exception {
        CliRun created = keys("create", "--account", "acct-cli-1", "--name", "laptop");

        assertThat(created.exitCode()).as(created.printed()).isZero();
        List<String> lines = created.out().lines().toList();
        String key = lines.get(lines.size() - 1);
        assertThat(key).matches("sk-live-key_[0-9a-f]{16}-[A-Za-z0-9_-]{43}");
        String keyId = ApiKey.parse(key).orElseThrow().keyId();
        assertThat(created.out()).contains(keyId).contains("acct-cli-1");
        assertThat(created.out().indexOf(key)).as("the key is printed once").isEqualTo(created.out().lastIndexOf(key));
        assertThat(authenticate(key)).contains(new Authenticator.Caller("acct-cli-1", keyId));

        String secret = key.substring(key.lastIndexOf('-') + 1);
        CliRun listed = keys("list", "--account", "acct-cli-1");
        assertThat(listed.exitCode()).as(listed.printed()).isZero();
        assertThat(listed.out()).contains(keyId).contains("laptop").doesNotContain(secret);

        CliRun revoked = keys("revoke", keyId);
        assertThat(revoked.exitCode()).as(revoked.printed()).isZero();
        assertThat(revoked.out()).contains("Revoked key " + keyId + " of account acct-cli-1");
        assertThat(authenticate(key)).isEmpty();
        assertThat(keys("list", "--account", "acct-cli-1").out().lines().filter(l -> l.startsWith(keyId)).toList())
                .singleElement().satisfies(row -> assertThat(row).doesNotEndWith("-"));
    }

    @Test
    void saysWhatIsWrongWithABadAccountOrKeyId() {
        CliRun badAccount = keys("create", "--account", "acct 1");
        assertThat(badAccount.exitCode()).isEqualTo(2);
        assertThat(badAccount.err()).contains("contains a space");

        CliRun notAnId = keys("revoke", "sk-acct-01");
        assertThat(notAnId.exitCode()).isEqualTo(2);
        assertThat(notAnId.err()).contains("is not a key id");

        CliRun unknown = keys("revoke", "key_0000000000000000");
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("There is no key key_0000000000000000");

        CliRun none = keys("list", "--account", "acct-without-keys");
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).contains("has no API keys");
    }

    private static CliRun keys(String... args) {
        List<String> all = new ArrayList<>(List.of("keys"));
        all.addAll(List.of(args));
        all.addAll(List.of("--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user, "--jdbc-password", postgres.password));
        return CliRun.of(all);
    }

    private static java.util.Optional<Authenticator.Caller> authenticate(String key) {
        DatabaseOptions database = new DatabaseOptions(jdbcUrl, postgres.user, postgres.password);
        try (PostgresKeyStore store = PostgresKeyStore.pooled(database, Duration.ofSeconds(2))) {
            return store.authenticate("Bearer " + key);
        }
    }
}
