package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.http.RawHttpClient;
import dev.billing.gateway.openai.ChatCompletionsHandler;
import dev.billing.gateway.openai.RecordingUsageSink;
import dev.billing.it.PipelineFixture;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Streamed requests against the real billing job (MiniCluster), a real KRaft broker and the real
 * PostgreSQL: a streamed answer costs the account what the same plain answer costs, and one the
 * client hangs up on costs its prompt and the completion tokens it was sent, never nothing.
 */
class StreamedBillingIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "acct-streamed";
    /** deepseek-v3 on the pricing page: $0.25 per million tokens, in and out. */
    private static final BigDecimal USD_PER_TOKEN = new BigDecimal("0.25").movePointLeft(6);
    /** 4,000 characters: 1,000 prompt tokens. */
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(4_000) + "\"}]";
    private static final int CHUNK_TOKENS = 100;

    /** The broker and PostgreSQL, and the job's options in a fresh schema. */
    private static PipelineFixture fixture;

    @BeforeAll
    static void startServices() throws Exception {
        fixture = new PipelineFixture();
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void streamedAnswersAreBilledLikePlainOnesAndAHangUpForWhatWasSent() throws Exception {
        JobOptions options = fixture.options("it_streamed");
        BillingJob.prepare(options);
        JobClient job = BillingJob.environment(options, JobConfiguration.of(options)).executeAsync("billing-streamed-it");
        HttpClient http = HttpClient.newHttpClient();
        try (CutoffClient cutoffs = CutoffClient.start(
                        CutoffClientConfig.builder(fixture.kafka.bootstrapServers()).topic(options.statusTopic).build());
                GatewayDoor door = TestDoors.open(fixture, options, cutoffs, "gateway-streamed");
                RecordingUsageSink usage = new RecordingUsageSink(door.usage());
                GatewayServer gateway = GatewayServer.start(GatewayServer.demoAccountKeys(), cutoffs, usage,
                        GatewaySettings.local("gateway-streamed").withStreaming(CHUNK_TOKENS, Duration.ofMillis(1)),
                        cutoffs::stats, null, door.admission(), new PaymentRequiredBody());
                AccountEvents events = new AccountEvents(fixture.kafka.bootstrapServers(), options.eventsTopic)) {
            assertThat(cutoffs.awaitBootstrap(TIMEOUT)).isTrue();
            events.opened(ACCOUNT, TIMEOUT);
            Await.until("the account's first status reaches the gateway", TIMEOUT, () -> cutoffs.status(ACCOUNT) != null);

            // 1,000 prompt + 3,000 completion tokens, plain and streamed: $0.001 each
            HttpResponse<String> plain = post(http, gateway, "{\"model\":\"deepseek-v3\",\"max_tokens\":3000," + MESSAGES + "}");
            assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
            HttpResponse<String> streamed = post(http, gateway, "{\"model\":\"deepseek-v3\",\"max_tokens\":3000,\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true}," + MESSAGES + "}");
            assertThat(streamed.statusCode()).isEqualTo(200);
            assertThat(streamed.body()).endsWith("data: [DONE]\n\n");

            // a long stream the client hangs up on after three chunks of content
            int chunksRead = 3;
            try (RawHttpClient client = new RawHttpClient(gateway.port())) {
                client.post(ChatCompletionsHandler.PATH, "Bearer sk-" + ACCOUNT, "{\"model\":\"deepseek-v3\",\"max_tokens\":"
                        + 100_000 + ",\"stream\":true," + MESSAGES + "}");
                for (int i = 0; i <= chunksRead; i++) { // the role chunk, then content
                    assertThat(client.nextEvent()).isNotNull();
                }
            }
            Await.until("the gateway notices the hang-up", TIMEOUT, () -> gateway.metrics().streamsCutShort() == 1);
            assertThat(usage.records).hasSize(3);
            long hungUpCompletion = usage.records.get(2).completionTokens();
            assertThat(hungUpCompletion).isGreaterThanOrEqualTo((long) chunksRead * CHUNK_TOKENS).isLessThan(100_000);

            BigDecimal expectedSpend = USD_PER_TOKEN.multiply(BigDecimal.valueOf(4_000 + 4_000 + 1_000 + hungUpCompletion));
            Await.until("PostgreSQL bills the three requests", TIMEOUT,
                    () -> requests(options) == 3 && expectedSpend.compareTo(spendUsd(options)) == 0);
            System.out.printf("STREAMED BILLING: plain and streamed $0.001 each; the hang-up after %d tokens read was billed"
                    + " %d completion tokens; spend $%s%n", chunksRead * CHUNK_TOKENS, hungUpCompletion,
                    expectedSpend.toPlainString());
            JsonNode lastChunk = lastChunk(streamed.body());
            assertThat(lastChunk.get("usage")).isEqualTo(JSON.readTree(plain.body()).get("usage"));
            Await.until("every usage record delivered", TIMEOUT, () -> usage.undelivered() == 0);
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    private static JsonNode lastChunk(String sse) throws Exception {
        String[] events = sse.split("\n\n");
        return JSON.readTree(events[events.length - 2].substring("data: ".length()));
    }

    private static HttpResponse<String> post(HttpClient http, GatewayServer gateway, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.chatCompletionsUri())
                        .header("Authorization", "Bearer sk-" + ACCOUNT)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static BigDecimal spendUsd(JobOptions options) throws Exception {
        BigDecimal spend = queryDecimal(options, "SELECT spend_usd FROM account_balance WHERE account_id = ?");
        return spend == null ? BigDecimal.ZERO : spend;
    }

    private static long requests(JobOptions options) throws Exception {
        BigDecimal n = queryDecimal(options, "SELECT sum(requests) FROM usage_hourly WHERE account_id = ?");
        return n == null ? 0 : n.longValueExact();
    }

    private static BigDecimal queryDecimal(JobOptions options, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, fixture.postgres.user, fixture.postgres.password);
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, ACCOUNT);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getBigDecimal(1) : null;
            }
        }
    }
}
