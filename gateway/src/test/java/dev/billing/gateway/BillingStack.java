package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.billing.embedded.EmbeddedKafka;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.billing.BillingApi;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.keys.ApiKeyTable;
import dev.billing.gateway.keys.PostgresKeyStore;
import dev.billing.it.PipelineFixture;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.core.execution.JobClient;

/**
 * The whole customer side for a test: a real KRaft broker, the real PostgreSQL, the real billing
 * job (on the test's MiniCluster), and the gateway with its billing API in front, authenticated by
 * real keys from {@code api_keys} (one per account, made on first use: {@link #key}). Every billing
 * API answer goes through {@link #call}, which checks it against the OpenAPI document.
 */
final class BillingStack implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofMinutes(2);
    static final ObjectMapper JSON = new ObjectMapper();

    final PipelineFixture fixture;
    final EmbeddedKafka kafka;
    final LocalPostgres postgres;
    final JobOptions options;
    final JobClient job;
    final CutoffClient cutoffs;
    final GatewayDoor door;
    final BillingApi billing;
    final GatewayServer gateway;
    final DatabaseOptions database;
    final PostgresKeyStore keyStore;
    private final Map<String, String> keys = new ConcurrentHashMap<>();
    final OpenApiCheck openApi = new OpenApiCheck();
    /** The test as the payments service: it answers payment requests on account-events. */
    final AccountEvents payments;
    private final JsonSchema paymentRequestSchema;
    private final HttpClient http = HttpClient.newHttpClient();

    BillingStack(String schema) throws Exception {
        fixture = new PipelineFixture();
        kafka = fixture.kafka;
        postgres = fixture.postgres;
        options = fixture.options(schema);
        BillingJob.prepare(options);
        job = BillingJob.environment(options, JobConfiguration.of(options)).executeAsync("billing-api-" + schema);
        cutoffs = CutoffClient.start(CutoffClientConfig.builder(kafka.bootstrapServers()).topic(options.statusTopic).build());
        door = TestDoors.open(fixture, options, cutoffs, "billing-it");
        database = new DatabaseOptions(options.jdbcUrl, postgres.user, postgres.password);
        billing = BillingApi.start(BillingApi.Settings.defaults(kafka.bootstrapServers(), database)
                .withTopics(options.eventsTopic, options.alertsTopic, options.paymentRequestsTopic), cutoffs::status);
        keyStore = PostgresKeyStore.pooled(database, PostgresKeyStore.DEFAULT_CACHE_TTL);
        gateway = GatewayServer.start(keyStore, cutoffs, door.usage(), GatewaySettings.local("billing-it"), cutoffs::stats,
                billing, door.admission(), new PaymentRequiredBody());
        payments = new AccountEvents(kafka.bootstrapServers(), options.eventsTopic);
        paymentRequestSchema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                JSON.readTree(Files.readString(Path.of("..", "schemas", "payment-request.schema.json"))));
        assertThat(cutoffs.awaitBootstrap(TIMEOUT)).as("gateway caught up with account-status").isTrue();
    }

    /** The account's messages on payment-requests now, each checked against its schema. */
    List<JsonNode> paymentRequests(String account) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode request : fixture.client.readAll(options.paymentRequestsTopic)) {
            if (account.equals(request.path("account_id").asText())) {
                assertThat(paymentRequestSchema.validate(request)).as(request.toString()).isEmpty();
                out.add(request);
            }
        }
        return out;
    }

    /** The account's payment request with this id, once it is on payment-requests. */
    JsonNode paymentRequest(String account, String requestId) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        Await.until("payment request " + requestId + " on " + options.paymentRequestsTopic, TIMEOUT, () -> {
            found.clear();
            paymentRequests(account).stream().filter(r -> r.get("request_id").asText().equals(requestId))
                    .forEach(found::add);
            return !found.isEmpty();
        });
        return found.get(0);
    }

    /** Buys through the billing API and, as the payments service, pays for it; returns the 202's body. */
    JsonNode buyAndPay(String account, String amountUsd) throws Exception {
        HttpResponse<String> r = call(account, "POST", "/v1/billing/credits", "{\"amount_usd\":\"" + amountUsd + "\"}",
                "Idempotency-Key", UUID.randomUUID().toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode purchase = JSON.readTree(r.body());
        payments.paymentSucceeded(paymentRequest(account, purchase.get("request_id").asText()), TIMEOUT);
        return purchase;
    }

    /** The account's API key, made in {@code api_keys} on first use. */
    String key(String account) {
        return keys.computeIfAbsent(account, a -> {
            try (Connection c = database.connect()) {
                return new ApiKeyTable(c).create(a, "test", new SecureRandom()).key().text();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot make a key for " + a, e);
            }
        });
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery);
    }

    /** A billing API call as {@code account}; the answer is checked against the OpenAPI document. */
    HttpResponse<String> call(String account, String method, String pathAndQuery, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
        if (account != null) {
            b.header("Authorization", "Bearer " + key(account));
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        openApi.check(method, pathAndQuery, r.statusCode(), r.body());
        return r;
    }

    JsonNode get(String account, String pathAndQuery) throws Exception {
        HttpResponse<String> r = call(account, "GET", pathAndQuery, null);
        assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The balance, or null while the job has nothing on the account (404). */
    JsonNode balance(String account) throws Exception {
        HttpResponse<String> r = call(account, "GET", "/v1/billing/balance", null);
        if (r.statusCode() == 404) {
            return null;
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** A chat completion as {@code account}. */
    HttpResponse<String> chat(String account, String requestJson) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.chatCompletionsUri())
                        .header("Authorization", "Bearer " + key(account))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(requestJson))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        try {
            PipelineFixture.cancel(job);
        } finally {
            gateway.close();
            payments.close();
            keyStore.close();
            billing.close();
            door.close();
            cutoffs.close();
            fixture.close();
        }
    }
}
