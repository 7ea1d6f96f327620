package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.it.Billed;
import dev.billing.it.PipelineFixture;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The gateway's door against the real job, broker and PostgreSQL: an account is served only what
 * its balance covers, by one gateway or by two sharing their reservations, and is refused nothing
 * the balance covers. Every figure is checked against the clients' own log of the usage they were
 * answered, priced in the test at the pricing page's rate, and against what the job billed.
 */
class AdmissionIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** deepseek-v3: $0.25 per million tokens, in and out. */
    private static final BigDecimal USD_PER_TOKEN = new BigDecimal("0.00000025");
    /** The heavy request: 100,000 prompt tokens (400,000 characters) and max_tokens 2,000: $0.0255 at worst. */
    private static final String HEAVY_STREAM = "{\"model\":\"deepseek-v3\",\"max_tokens\":2000,\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\""
            + "x".repeat(400_000) + "\"}]}";
    private static final BigDecimal HEAVY_WORST_CASE = USD_PER_TOKEN.multiply(BigDecimal.valueOf(102_000));

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

    /** One gateway, its door, its cutoff client. */
    private record Gateway(CutoffClient cutoffs, GatewayDoor door, GatewayServer server) implements AutoCloseable {
        static Gateway start(JobOptions options, String id) throws Exception {
            CutoffClient cutoffs = CutoffClient.start(
                    CutoffClientConfig.builder(fixture.kafka.bootstrapServers()).topic(options.statusTopic).build());
            GatewayDoor door = TestDoors.open(fixture, options, cutoffs, id);
            // 40 handler threads: every stream of the test is in flight at once; 20 tokens per 2 ms
            GatewaySettings settings = new GatewaySettings("127.0.0.1", 0, id, "llama-3.3-70b",
                    GatewaySettings.PRICING_PAGE_MODELS, 128, 40, 20, Duration.ofMillis(2));
            GatewayServer server = GatewayServer.start(GatewayServer.demoAccountKeys(), cutoffs, door.usage(), settings,
                    cutoffs::stats, null, door.admission(), new PaymentRequiredBody());
            assertThat(cutoffs.awaitBootstrap(TIMEOUT)).isTrue();
            return new Gateway(cutoffs, door, server);
        }

        @Override
        public void close() throws Exception {
            server.close();
            door.close();
            cutoffs.close();
        }
    }

    @Test
    void oneDollarBuysExactlyThirtyThreeRequestsOfThreeCentsAndTheLastCentIsStillServed() throws Exception {
        JobOptions options = fixture.options("it_admission_dollar", "--free-credits", "1.00");
        BillingJob.prepare(options);
        JobClient job = BillingJob.environment(options, JobConfiguration.of(options)).executeAsync("admission-dollar");
        String account = "acct-dollar";
        HttpClient http = HttpClient.newHttpClient();
        try (Gateway gateway = Gateway.start(options, "gw-dollar")) {
            // 1 prompt token and max_tokens 119,999: 120,000 tokens, $0.03 at worst and in fact
            String threeCents = request(119_999);
            int served = 0;
            HttpResponse<String> refused = null;
            while (refused == null && served <= 40) {
                HttpResponse<String> r = post(http, gateway, account, threeCents);
                if (r.statusCode() == 402) {
                    refused = r;
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    served++;
                }
            }
            assertThat(served).as("$1.00 covers 33 requests of $0.03, one at a time").isEqualTo(33);
            JsonNode error = JSON.readTree(refused.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("insufficient_balance");
            assertThat(error.get("available_usd").asText()).isEqualTo("0.01");
            assertThat(error.get("worst_case_usd").asText()).isEqualTo("0.03");

            // the job's balance then says the same, and the last cent buys a request of a cent
            Billed billed = new Billed(options, fixture.postgres);
            Await.until("the job bills the 33 requests", TIMEOUT,
                    () -> billed.requests(account) == 33 && billed.spendUsd(account).compareTo(new BigDecimal("0.99")) == 0);
            Await.until("the gateway reads the balance", TIMEOUT,
                    () -> gateway.cutoffs().status(account).balanceUsd().compareTo(new BigDecimal("0.01")) == 0);
            assertThat(post(http, gateway, account, threeCents).statusCode()).isEqualTo(402);
            HttpResponse<String> oneCent = post(http, gateway, account, request(39_999));
            assertThat(oneCent.statusCode()).as(oneCent.body()).isEqualTo(200);
            Await.until("the job bills the last cent and cuts the account off", TIMEOUT,
                    () -> billed.requests(account) == 34 && billed.balanceUsd(account).signum() == 0
                            && !gateway.cutoffs().check(account).allowed());
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    @Test
    void thirtyTwoStreamsInFlightOnOneGatewaySpendNoMoreThanTheBalance() throws Exception {
        spendConcurrently("it_admission_one", 1);
    }

    @Test
    void sixteenAndSixteenStreamsOnTwoGatewaysShareTheirReservations() throws Exception {
        spendConcurrently("it_admission_two", 2);
    }

    /**
     * 32 clients stream the heavy request for one fresh account, spread over {@code gateways}
     * gateways, each client again and again until it is refused; then what the clients were
     * answered, what the job billed and the $5.00 of free credits are compared.
     */
    private void spendConcurrently(String schema, int gateways) throws Exception {
        JobOptions options = fixture.options(schema);
        BillingJob.prepare(options);
        JobClient job = BillingJob.environment(options, JobConfiguration.of(options)).executeAsync(schema);
        String account = "acct-" + schema;
        List<Gateway> started = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try {
            for (int g = 0; g < gateways; g++) {
                started.add(Gateway.start(options, schema + "-gw" + g));
            }
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
            AtomicLong tokensAnswered = new AtomicLong();
            AtomicLong requestsAnswered = new AtomicLong();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < 32; c++) {
                Gateway gateway = started.get(c % gateways);
                running.add(clients.submit(() -> {
                    while (true) {
                        HttpResponse<String> r = post(http, gateway, account, HEAVY_STREAM);
                        if (r.statusCode() == 402) {
                            return null;
                        }
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        tokensAnswered.addAndGet(lastChunk(r.body()).at("/usage/total_tokens").asLong());
                        requestsAnswered.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get(TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            BigDecimal answeredUsd = USD_PER_TOKEN.multiply(BigDecimal.valueOf(tokensAnswered.get()));
            Billed billed = new Billed(options, fixture.postgres);
            Await.until("the job bills every answered request", TIMEOUT,
                    () -> billed.requests(account) == requestsAnswered.get()
                            && billed.spendUsd(account).compareTo(answeredUsd) == 0);
            BigDecimal overspend = answeredUsd.subtract(new BigDecimal("5.00")).max(BigDecimal.ZERO);
            System.out.printf("ADMISSION: %d gateway(s), 32 streams in flight: %d requests served, billed $%s of $5.00"
                    + " free credits; overspend $%s (one request's worst case: $%s)%n", gateways, requestsAnswered.get(),
                    answeredUsd.stripTrailingZeros().toPlainString(), overspend.stripTrailingZeros().toPlainString(),
                    HEAVY_WORST_CASE.stripTrailingZeros().toPlainString());
            assertThat(overspend).as("overspend").isLessThanOrEqualTo(HEAVY_WORST_CASE);
            // and nothing the balance covered was refused: what is left is less than one request's worst case
            assertThat(new BigDecimal("5.00").subtract(answeredUsd)).as("left unspent").isLessThan(HEAVY_WORST_CASE);
        } finally {
            clients.shutdownNow();
            for (Gateway g : started) {
                g.close();
            }
            PipelineFixture.cancel(job);
        }
    }

    /** A plain deepseek-v3 request of one prompt token and {@code maxTokens}. */
    private static String request(long maxTokens) {
        return "{\"model\":\"deepseek-v3\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"abcd\"}]}";
    }

    private static HttpResponse<String> post(HttpClient http, Gateway gateway, String account, String body)
            throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.server().chatCompletionsUri())
                        .header("Authorization", "Bearer sk-" + account)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The last chunk of a streamed answer, the one with the usage. */
    private static JsonNode lastChunk(String sse) throws Exception {
        String[] events = sse.split("\n\n");
        String last = events[events.length - 2]; // the one before [DONE]
        return JSON.readTree(last.substring("data: ".length()));
    }
}
