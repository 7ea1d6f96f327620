package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.keys.ApiKey;
import dev.billing.gateway.keys.ApiKeyTable;
import dev.billing.gateway.keys.KeyInfo;
import dev.billing.gateway.keys.PostgresKeyStore;
import dev.billing.gateway.openai.RecordingUsageSink;
import dev.billing.job.Migrations;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** API keys against the real PostgreSQL: the table, the gateway's key store, and the gateway over HTTP. */
class ApiKeysIT {
    private static final Duration TTL = PostgresKeyStore.DEFAULT_CACHE_TTL;
    /** Beyond the cache time: one lookup and the polling interval, on a busy test machine. */
    private static final Duration SLACK = Duration.ofSeconds(1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private static LocalPostgres postgres;
    private static DatabaseOptions database;

    private Connection admin;
    private ApiKeyTable table;
    private PostgresKeyStore store;

    @BeforeAll
    static void migrate() {
        postgres = LocalPostgres.locate(System.out::println);
        String url = postgres.freshSchema("it_api_keys");
        Migrations.apply(url, postgres.user, postgres.password);
        database = new DatabaseOptions(url, postgres.user, postgres.password);
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @BeforeEach
    void open() throws Exception {
        admin = database.connect();
        table = new ApiKeyTable(admin);
        store = PostgresKeyStore.pooled(database, TTL);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        admin.close();
    }

    @Test
    void aCreatedKeyAuthenticatesAndARevokedOneIsRefusedWithinTheCacheTime() throws Exception {
        ApiKey key = table.create("acct-revoke", "ci", RANDOM).key();

        assertThat(store.authenticate("Bearer " + key.text()))
                .contains(new Authenticator.Caller("acct-revoke", key.keyId()));

        long revokedAt = System.nanoTime();
        Optional<KeyInfo> revoked = table.revoke(key.keyId());
        assertThat(revoked).get().extracting(KeyInfo::revoked).isEqualTo(true);
        Await.until("the revoked key is refused", TTL.plus(SLACK), () -> store.authenticate("Bearer " + key.text()).isEmpty());
        System.out.printf("revoked key refused after %d ms (cache time %d ms)%n",
                (System.nanoTime() - revokedAt) / 1_000_000, TTL.toMillis());

        // revoking again keeps the first time
        assertThat(table.revoke(key.keyId())).get().extracting(KeyInfo::revokedAt).isEqualTo(revoked.get().revokedAt());
        assertThat(table.revoke("key_0000000000000000")).isEmpty();
    }

    @Test
    void aTamperedSecretWithAValidIdIsRefusedCachedOrNot() throws Exception {
        ApiKey key = table.create("acct-tamper", null, RANDOM).key();
        String tampered = tamperLastCharacter(key.text());
        ApiKey other = table.create("acct-other", null, RANDOM).key();
        String otherIdWithThisSecret = ApiKey.PREFIX + other.keyId() + key.text().substring(ApiKey.PREFIX.length() + 20);

        assertThat(store.authenticate("Bearer " + tampered)).as("before the row is cached").isEmpty();
        assertThat(store.authenticate("Bearer " + key.text())).isPresent();
        assertThat(store.authenticate("Bearer " + tampered)).as("with the row cached").isEmpty();
        assertThat(store.authenticate("Bearer " + otherIdWithThisSecret)).as("another key's id").isEmpty();
        assertThat(store.authenticate("Bearer " + ApiKey.generate(RANDOM).text())).as("a made-up key").isEmpty();
        assertThat(store.authenticate("Bearer " + key.text())).isPresent();
    }

    @Test
    void storesOnlyTheHashAndListsKeysWithoutSecrets() throws Exception {
        ApiKeyTable.Created first = table.create("acct-list", "laptop", RANDOM);
        ApiKeyTable.Created second = table.create("acct-list", null, RANDOM);
        table.create("acct-list-other", "elsewhere", RANDOM);
        table.revoke(second.key().keyId());

        List<KeyInfo> listed = table.list("acct-list");

        assertThat(listed).extracting(KeyInfo::keyId).containsExactlyInAnyOrder(first.key().keyId(), second.key().keyId());
        assertThat(listed).extracting(KeyInfo::accountId).containsOnly("acct-list");
        assertThat(listed).filteredOn(k -> k.keyId().equals(first.key().keyId())).singleElement()
                .satisfies(k -> {
                    assertThat(k.name()).isEqualTo("laptop");
                    assertThat(k.revoked()).isFalse();
                    assertThat(k.createdAt()).isNotNull();
                });
        assertThat(listed).filteredOn(k -> k.keyId().equals(second.key().keyId())).singleElement()
                .satisfies(k -> assertThat(k.revoked()).isTrue());
        for (ApiKeyTable.Created created : List.of(first, second)) {
            String secret = secretOf(created.key());
            assertThat(listed.toString()).doesNotContain(secret);
            assertThat(everyStoredValue()).noneMatch(v -> v.contains(secret));
            byte[] expected = MessageDigest.getInstance("SHA-256")
                    .digest(created.key().text().getBytes(StandardCharsets.UTF_8));
            assertThat(storedHash(created.key().keyId())).isEqualTo(expected);
        }
    }

    @Test
    void theGatewayServesARealKeyAndAnswers401ToAMadeUpOne() throws Exception {
        ApiKey key = table.create("acct-http", "http", RANDOM).key();
        RecordingUsageSink usage = new RecordingUsageSink();
        HttpClient http = HttpClient.newHttpClient();
        try (GatewayServer server = GatewayServer.start(store, account -> Decision.UNKNOWN_ACCOUNT, usage,
                GatewaySettings.local("node-keys"), null)) {
            HttpResponse<String> served = post(http, server, "Bearer " + key.text());
            assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
            assertThat(usage.records).singleElement().satisfies(r -> {
                assertThat(r.accountId()).isEqualTo("acct-http");
                assertThat(r.keyId()).isEqualTo(key.keyId());
                assertThat(JSON.readTree(r.toJson()).get("key_id").asText()).isEqualTo(key.keyId());
            });

            for (String refused : List.of("Bearer " + ApiKey.generate(RANDOM).text(), "Bearer sk-acct-http",
                    "Bearer " + tamperLastCharacter(key.text()))) {
                HttpResponse<String> r = post(http, server, refused);
                assertThat(r.statusCode()).as(refused).isEqualTo(401);
                JsonNode error = JSON.readTree(r.body()).get("error");
                assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
                assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
                assertThat(error.get("message").asText()).isEqualTo("Incorrect API key provided.");
                assertThat(error.has("param")).isTrue();
            }

            table.revoke(key.keyId());
            Await.until("401 for the revoked key", TTL.plus(SLACK),
                    () -> post(http, server, "Bearer " + key.text()).statusCode() == 401);
            int billedBefore = usage.records.size();
            assertThat(post(http, server, "Bearer " + key.text()).statusCode()).isEqualTo(401);
            assertThat(usage.records).as("nothing is served, so nothing is billed, once refused").hasSize(billedBefore);
        }
    }

    private static HttpResponse<String> post(HttpClient http, GatewayServer server, String authorization) throws Exception {
        return http.send(HttpRequest.newBuilder(server.chatCompletionsUri())
                        .header("Authorization", authorization)
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The key with its last character replaced by another base64url character. */
    private static String tamperLastCharacter(String key) {
        char last = key.charAt(key.length() - 1);
        return key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A');
    }

    private static String secretOf(ApiKey key) {
        return key.text().substring(key.text().lastIndexOf(key.keyId()) + key.keyId().length() + 1);
    }

    /** Every column of every row of api_keys as text (bytea as hex): where a secret would show if stored. */
    private List<String> everyStoredValue() throws Exception {
        List<String> values = new ArrayList<>();
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM api_keys")) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int i = 1; i <= columns; i++) {
                    values.add(String.valueOf(rs.getString(i)));
                }
            }
        }
        return values;
    }

    private byte[] storedHash(String keyId) throws Exception {
        try (var s = admin.prepareStatement("SELECT secret_sha256 FROM api_keys WHERE key_id = ?")) {
            s.setString(1, keyId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }
}
