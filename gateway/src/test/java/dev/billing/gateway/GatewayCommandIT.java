package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.embedded.EmbeddedKafka;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.keys.ApiKey;
import dev.billing.gateway.keys.ApiKeyTable;
import dev.billing.job.Migrations;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code bin/billing gateway} as its command line starts it, against a real KRaft broker. */
class GatewayCommandIT {
    private static final String OPERATOR_TOKEN = "it-operator-token";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesReportsUsageAndAnswers402OnceTheStatusSaysBlocked() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
                LocalPostgres postgres = LocalPostgres.locate(System.out::println)) {
            createTopics(kafka.bootstrapServers());
            String jdbcUrl = postgres.freshSchema("it_gateway_command");
            Migrations.apply(jdbcUrl, postgres.user, postgres.password);
            ApiKey key;
            try (Connection c = DriverManager.getConnection(jdbcUrl, postgres.user, postgres.password)) {
                key = new ApiKeyTable(c).create("acct-cli", "it", new SecureRandom()).key();
            }
            GatewayCommand command = new GatewayCommand();
            AtomicInteger exit = new AtomicInteger(-1);
            String journal = Files.createTempDirectory(tmp, "usage-journal").toString();
            Thread run = new Thread(() -> exit.set(new CommandLine(command).execute(
                    "--bootstrap-servers", kafka.bootstrapServers(), "--host", "127.0.0.1", "--port", "0",
                    "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user, "--jdbc-password", postgres.password,
                    "--node-id", "cli-node", "--default-completion-tokens", "10", "--usage-journal", journal,
                    "--operator-token", OPERATOR_TOKEN)),
                    "gateway-command");
            run.start();
            try {
                GatewayServer server = command.started().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                HttpClient http = HttpClient.newHttpClient();

                assertThat(post(http, server, "sk-acct-cli").statusCode()).as("the demo scheme is off").isEqualTo(401);
                HttpResponse<String> served = post(http, server, key.text());
                assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
                JsonNode response = JSON.readTree(served.body());
                assertThat(response.get("model").asText()).isEqualTo("llama-3.3-70b");
                assertThat(response.get("usage").get("completion_tokens").asLong()).isEqualTo(10);

                ConsumerRecord<String, String> usage = firstUsageRecord(kafka.bootstrapServers());
                assertThat(usage.key()).isEqualTo("acct-cli");
                JsonNode record = JSON.readTree(usage.value());
                assertThat(record.get("request_id").asText()).isEqualTo(response.get("id").asText());
                assertThat(record.get("node_id").asText()).isEqualTo("cli-node");
                assertThat(record.get("key_id").asText()).isEqualTo(key.keyId());
                assertThat(record.get("usage")).isEqualTo(response.get("usage"));

                publishBlocked(kafka.bootstrapServers(), "acct-cli");
                Await.until("402 once the status is published", TIMEOUT,
                        () -> post(http, server, key.text()).statusCode() == 402);
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(server.healthUri())
                        .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(health.body()).get("cutoffs").get("blocked_accounts").asLong()).isEqualTo(1);
            } finally {
                command.stop();
                run.join(TIMEOUT.toMillis());
            }
            assertThat(exit.get()).isZero();
        }
    }

    @Test
    void acceptsTheDemoSchemeOnlyWhenToldSoAndWarns() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
                LocalPostgres postgres = LocalPostgres.locate(System.out::println)) {
            createTopics(kafka.bootstrapServers());
            String jdbcUrl = postgres.freshSchema("it_gateway_demo_keys");
            Migrations.apply(jdbcUrl, postgres.user, postgres.password);
            GatewayCommand command = new GatewayCommand();
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            AtomicInteger exit = new AtomicInteger(-1);
            // the demo scheme looks up no keys; the database still holds the requests' reservations
            String journal = Files.createTempDirectory(tmp, "usage-journal").toString();
            Thread run = new Thread(() -> exit.set(new CommandLine(command).execute(
                    "--bootstrap-servers", kafka.bootstrapServers(), "--host", "127.0.0.1", "--port", "0",
                    "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user, "--jdbc-password", postgres.password,
                    "--usage-journal", journal, "--insecure-demo-account-keys")), "gateway-command");
            run.start();
            try {
                GatewayServer server = command.started().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(post(HttpClient.newHttpClient(), server, "sk-acct-demo").statusCode()).isEqualTo(200);
            } finally {
                command.stop();
                run.join(TIMEOUT.toMillis());
                System.setOut(stdout);
                stdout.print(printed.toString(StandardCharsets.UTF_8));
            }
            assertThat(exit.get()).isZero();
            assertThat(printed.toString(StandardCharsets.UTF_8).lines().findFirst())
                    .hasValueSatisfying(first -> assertThat(first).startsWith("WARNING: --insecure-demo-account-keys"));
        }
    }

    /**
     * Started before the job and before any key exists (a fresh schema without the migrations, no
     * topics), the gateway does not exit: it listens, answers /health and every request 503, says
     * what it waits for, and serves once the table and the status topic are there.
     */
    @Test
    void startedFirstItWaitsAnswering503AndServesOnceTheKeyTableAndTheStatusTopicAreThere() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
                LocalPostgres postgres = LocalPostgres.locate(System.out::println)) {
            String jdbcUrl = postgres.freshSchema("it_gateway_start_order");
            String journal = Files.createTempDirectory(tmp, "usage-journal").toString();
            GatewayCommand command = new GatewayCommand();
            Printed printed = Printed.capture();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread run = new Thread(() -> exit.set(new CommandLine(command).execute(
                    "--bootstrap-servers", kafka.bootstrapServers(), "--host", "127.0.0.1", "--port", "0",
                    "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user, "--jdbc-password", postgres.password,
                    "--usage-journal", journal, "--bootstrap-timeout", "10m", "--operator-token", OPERATOR_TOKEN)),
                    "gateway-command");
            run.start();
            try {
                URI base = command.listening().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                HttpClient http = HttpClient.newHttpClient();
                JsonNode health = JSON.readTree(expect(503, health(http, base)).body());
                assertThat(health.get("status").asText()).isEqualTo("starting");
                assertThat(health.get("waiting_for").toString()).contains("gateway_reservations").contains("api_keys")
                        .contains("account-status");
                HttpResponse<String> refused = expect(503, post(http, base, "sk-live-key_0000000000000000-x"));
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                Await.until("it says what it waits for", TIMEOUT,
                        () -> printed.text().contains("Waiting for PostgreSQL's gateway_reservations table"));
                assertThat(command.started()).isNotDone();

                // the migrations and a key: the keys are ready, the status topic is not there yet
                Migrations.apply(jdbcUrl, postgres.user, postgres.password);
                ApiKey key;
                try (Connection c = DriverManager.getConnection(jdbcUrl, postgres.user, postgres.password)) {
                    key = new ApiKeyTable(c).create("acct-first", "it", new SecureRandom()).key();
                }
                Await.until("the keys ready, the topics waited for", TIMEOUT, () -> {
                    JsonNode h = healthOrNull(http, base); // null while the stand-in hands the port over
                    return h != null && !h.path("waiting_for").toString().contains("api_keys")
                            && !h.path("waiting_for").toString().contains("gateway_reservations")
                            && h.path("waiting_for").toString().contains("account-status");
                });
                expect(503, post(http, base, key.text()));
                assertThat(command.started()).isNotDone();

                // the job's topics: it catches up and serves
                createTopics(kafka.bootstrapServers());
                GatewayServer server = command.started().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(server.healthUri()).isEqualTo(base.resolve("/health"));
                expect(200, post(http, server, key.text()));
                expect(200, health(http, base));
            } finally {
                command.stop();
                run.join(TIMEOUT.toMillis());
                printed.restore();
            }
            assertThat(exit.get()).isZero();
            assertThat(printed.text()).contains("Caught up with account-status")
                    .contains("Purchases (POST /v1/billing/credits) go to payment-requests and stay pending until the"
                            + " payments service charges them")
                    .doesNotContain("--simulated-payments");
        }
    }

    @Test
    void simulatedPaymentsApproveEveryPurchaseAndSaySoAtStart() throws Exception {
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createTempDirectory(tmp, "kafka"));
                LocalPostgres postgres = LocalPostgres.locate(System.out::println)) {
            createTopics(kafka.bootstrapServers());
            String jdbcUrl = postgres.freshSchema("it_gateway_simulated_payments");
            Migrations.apply(jdbcUrl, postgres.user, postgres.password);
            String journal = Files.createTempDirectory(tmp, "usage-journal").toString();
            GatewayCommand command = new GatewayCommand();
            Printed printed = Printed.capture();
            AtomicInteger exit = new AtomicInteger(-1);
            Thread run = new Thread(() -> exit.set(new CommandLine(command).execute(
                    "--bootstrap-servers", kafka.bootstrapServers(), "--host", "127.0.0.1", "--port", "0",
                    "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user, "--jdbc-password", postgres.password,
                    "--usage-journal", journal, "--insecure-demo-account-keys", "--simulated-payments")),
                    "gateway-command");
            run.start();
            try {
                GatewayServer server = command.started().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> bought = expect(202, http.send(HttpRequest.newBuilder(
                                server.apiBaseUri().resolve("/v1/billing/credits"))
                        .header("Authorization", "Bearer sk-acct-sim")
                        .header("Idempotency-Key", "sim-1")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"amount_usd\":\"10.00\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
                String requestId = JSON.readTree(bought.body()).get("request_id").asText();
                Await.until("the purchase is credited", TIMEOUT, () -> {
                    JsonNode list = JSON.readTree(http.send(HttpRequest.newBuilder(
                                    server.apiBaseUri().resolve("/v1/billing/credits"))
                            .header("Authorization", "Bearer sk-acct-sim").build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    return list.path("data").path(0).path("status").asText().equals("credited");
                });
                JsonNode credit = firstRecord(kafka.bootstrapServers(), "account-events",
                        r -> r.path("event_id").asText().equals("payment/" + requestId));
                assertThat(credit.get("type").asText()).isEqualTo("CREDITS_PURCHASED");
                assertThat(credit.get("account_id").asText()).isEqualTo("acct-sim");
                assertThat(credit.get("amount_usd").asText()).isEqualTo("10.00");
            } finally {
                command.stop();
                run.join(TIMEOUT.toMillis());
                printed.restore();
            }
            assertThat(exit.get()).isZero();
            assertThat(printed.text().lines().filter(l -> l.startsWith("WARNING: --simulated-payments")).findFirst())
                    .hasValueSatisfying(w -> assertThat(w).contains("approved without charging anyone")
                            .contains("For demos and tests only"));
        }
    }

    private static HttpResponse<String> health(HttpClient http, URI base) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/health")).header("Authorization", "Bearer " + OPERATOR_TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode healthOrNull(HttpClient http, URI base) throws Exception {
        try {
            return JSON.readTree(health(http, base).body());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI base, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> expect(int status, HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return r;
    }

    /** The gateway's stdout, kept while it is also printed. */
    private static final class Printed {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream stdout = System.out;

        static Printed capture() {
            Printed p = new Printed();
            System.setOut(new PrintStream(p.bytes, true, StandardCharsets.UTF_8));
            return p;
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        void restore() {
            System.setOut(stdout);
            stdout.print(text());
        }
    }

    /** The first JSON record of the topic that matches, read from the beginning. */
    private static JsonNode firstRecord(String bootstrap, String topic, java.util.function.Predicate<JsonNode> matches)
            throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "gateway-command-it-" + topic + "-" + System.nanoTime());
        p.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            AtomicReference<JsonNode> first = new AtomicReference<>();
            Await.until("the record on " + topic, TIMEOUT, () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    JsonNode json = JSON.readTree(r.value());
                    if (matches.test(json)) {
                        first.compareAndSet(null, json);
                    }
                }
                return first.get() != null;
            });
            return first.get();
        }
    }

    private static HttpResponse<String> post(HttpClient http, GatewayServer server, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(server.chatCompletionsUri())
                        .header("Authorization", "Bearer " + key)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The topics the job would create; waits until their partitions answer, as producers need. */
    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic("account-status", Optional.of(2), Optional.empty())
                            .configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic("usage-records", Optional.of(2), Optional.empty()),
                    new NewTopic("rate-cards", Optional.of(2), Optional.empty())
                            .configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic("account-events", Optional.of(2), Optional.empty()),
                    new NewTopic("payment-requests", Optional.of(2), Optional.empty()))).all().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : List.of("account-status", "usage-records", "rate-cards", "account-events",
                    "payment-requests")) {
                for (int p = 0; p < 2; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Await.until("partitions have leaders", TIMEOUT, () -> {
                try {
                    admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
                    return true;
                } catch (ExecutionException e) {
                    return false;
                }
            });
        }
    }

    private static ConsumerRecord<String, String> firstUsageRecord(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("group.id", "gateway-command-it");
        p.put("auto.offset.reset", "earliest");
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("usage-records"));
            AtomicReference<ConsumerRecord<String, String>> first = new AtomicReference<>();
            Await.until("the usage record on usage-records", TIMEOUT, () -> {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    first.compareAndSet(null, r);
                }
                return first.get() != null;
            });
            return first.get();
        }
    }

    private static void publishBlocked(String bootstrap, String account) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            String status = "{\"account_id\":\"" + account + "\",\"status\":\"BLOCKED\",\"reason\":\"MONTHLY_LIMIT\","
                    + "\"reasons\":[\"MONTHLY_LIMIT\"],\"balance_usd\":\"3.20\",\"month_spend_usd\":\"50.00\","
                    + "\"version\":1,\"as_of\":\"" + Instant.now() + "\"}";
            producer.send(new ProducerRecord<>("account-status", account, status.getBytes(StandardCharsets.UTF_8)))
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
