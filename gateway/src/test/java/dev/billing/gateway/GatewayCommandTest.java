package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.gateway.client.FailurePolicy;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class GatewayCommandTest {
    @Test
    void parsesItsOptionsWithTheDefaultsOfTheJob() {
        GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs("--bootstrap-servers", "kafka:9092", "--port", "9000",
                "--failure-policy", "FAIL_CLOSED", "--max-staleness", "3s", "--models", "deepseek-v3,llama-3.1-8b",
                "--default-model", "deepseek-v3");

        assertThat(command.bootstrapServers).isEqualTo("kafka:9092");
        assertThat(command.port).isEqualTo(9000);
        assertThat(command.statusTopic).isEqualTo("account-status");
        assertThat(command.usageTopic).isEqualTo("usage-records");
        assertThat(command.failurePolicy).isEqualTo(FailurePolicy.FAIL_CLOSED);
        assertThat(command.maxStaleness).isEqualTo(Duration.ofSeconds(3));
        assertThat(command.models).containsExactly("deepseek-v3", "llama-3.1-8b");
    }

    @Test
    void refusesADefaultModelItDoesNotServeBeforeConnectingAnywhere() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GatewayCommand()).setErr(new PrintWriter(err));

        int exit = cli.execute("--bootstrap-servers", "127.0.0.1:1", "--default-model", "gpt-9");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("gpt-9");
    }

    @Test
    void looksKeysUpUnlessToldOtherwise() {
        GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs();
        assertThat(command.insecureDemoAccountKeys).isFalse();
        assertThat(command.keyCacheTtl).isEqualTo(Duration.ofSeconds(2));

        new CommandLine(command).parseArgs("--insecure-demo-account-keys", "--key-cache-ttl", "500ms");
        assertThat(command.insecureDemoAccountKeys).isTrue();
        assertThat(command.keyCacheTtl).isEqualTo(Duration.ofMillis(500));
    }

    /** No database and no broker: it does not exit, it listens and says it is not ready, and a stop ends it. */
    @Test
    void waitsForItsDatabaseAnsweringHealth503UntilStopped() throws Exception {
        GatewayCommand command = new GatewayCommand();
        AtomicInteger exit = new AtomicInteger(-1);
        String journal = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))),
                "usage-journal").toString();
        Thread run = new Thread(() -> exit.set(new CommandLine(command).execute("--bootstrap-servers", "127.0.0.1:1",
                "--host", "127.0.0.1", "--port", "0", "--usage-journal", journal,
                "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/billing?connectTimeout=2", "--operator-token", "op-secret")),
                "gateway-command");
        run.start();
        try {
            URI base = command.listening().get(30, TimeUnit.SECONDS);
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/health"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(503);
            assertThat(anonymous.body()).isEqualTo("{\"status\":\"unavailable\"}");
            HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/v1/models"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).doesNotContain("jdbc").doesNotContain("api_keys");
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/health"))
                    .header("Authorization", "Bearer op-secret").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("\"status\":\"starting\"")
                    .contains("the api_keys table in jdbc:postgresql://127.0.0.1:1/billing").doesNotContain("connectTimeout");
            assertThat(command.started()).isNotDone();
        } finally {
            command.stop();
            run.join(30_000);
        }
        assertThat(exit.get()).isZero();
    }

    @Test
    void readsDurationsTheWayTheJobWritesThem() {
        DurationConverter d = new DurationConverter();

        assertThat(d.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(d.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(d.convert("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void refusesADurationWithoutAUnitAsTheJobDoes() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GatewayCommand()).setErr(new PrintWriter(err));

        int exit = cli.execute("--bootstrap-servers", "127.0.0.1:1", "--max-staleness", "2");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("'2' has no unit: write 2s, 500ms, 24h or 7d");
    }

    @Test
    void refusesAModelWithoutAPriceBeforeConnectingAnywhere() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GatewayCommand()).setErr(new PrintWriter(err));

        int exit = cli.execute("--bootstrap-servers", "127.0.0.1:1", "--models", "llama-3.3-70b,gpt-9");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("no list price for gpt-9");
    }

    @Test
    void passesKafkaPropertiesToTheStatusConsumer() {
        // a value only a consumer reads, and an invalid one: the consumer refuses to start with its name
        assertFailsStartingWith("fetch.min.bytes=plenty");
    }

    @Test
    void passesKafkaPropertiesToTheUsageProducer() {
        // a value only a producer reads (the consumer ignores it), and an invalid one
        assertFailsStartingWith("linger.ms=soon");
    }

    @Test
    void parsesTheStreamingOptions() {
        GatewayCommand command = new GatewayCommand();
        new CommandLine(command).parseArgs("--stream-chunk-tokens", "7", "--stream-chunk-interval", "0ms",
                "--kafka-property", "security.protocol=SASL_SSL", "--kafka-property", "sasl.mechanism=PLAIN");

        assertThat(command.streamChunkTokens).isEqualTo(7);
        assertThat(command.streamChunkInterval).isZero();
        assertThat(command.kafkaClientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN");
    }

    private static void assertFailsStartingWith(String kafkaProperty) {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new GatewayCommand()).setErr(new PrintWriter(err));

        // demo keys: no key store to reach before the Kafka clients start
        int exit = cli.execute("--bootstrap-servers", "127.0.0.1:1", "--insecure-demo-account-keys",
                "--kafka-property", kafkaProperty);

        assertThat(exit).isEqualTo(1);
        String name = kafkaProperty.substring(0, kafkaProperty.indexOf('='));
        assertThat(err.toString()).contains(name);
    }
}
