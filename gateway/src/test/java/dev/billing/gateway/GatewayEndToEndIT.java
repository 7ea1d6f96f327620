package dev.billing.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.keys.ApiKey;
import dev.billing.gateway.keys.ApiKeyTable;
import dev.billing.gateway.keys.PostgresKeyStore;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.BlockReason;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.it.PipelineFixture;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
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
 * The closed loop, through HTTP: the real billing job (MiniCluster, parallelism 2) against a real
 * KRaft broker and the real PostgreSQL, the gateway in front. An account spends its free $5.00,
 * is answered 402 for the request after the one that takes its balance to zero, buys credits, and
 * is served again; every request served is billed, once.
 */
class GatewayEndToEndIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "acct-gateway-e2e";

    /**
     * deepseek-v3 costs $0.25 per million tokens in and out; 4,000 characters of prompt (1,000
     * tokens) and 39,000 completion tokens cost exactly $0.01, so the free $5.00 is used up by
     * request 500 exactly.
     */
    private static final String REQUEST = "{\"model\":\"deepseek-v3\",\"max_tokens\":39000,\"messages\":"
            + "[{\"role\":\"user\",\"content\":\"" + "x".repeat(4_000) + "\"}]}";
    private static final BigDecimal COST_PER_REQUEST = new BigDecimal("0.01");
    private static final int REQUESTS_TO_ZERO = 500;
    /** A guard on the loop: the door admits none beyond the balance, and the test says so below. */
    private static final int MAX_OVERSPEND_REQUESTS = 1_000;

    /** The broker and PostgreSQL, and the job's options in a fresh schema. */
    private static PipelineFixture fixture;
    /** The account's API key, made in its schema; the usage records the job bills carry its id. */
    private static ApiKey key;

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
    void spendsTheFreeCreditsIsCutOffBuysCreditsAndIsServedAgain() throws Exception {
        JobOptions options = fixture.options("it_gateway");
        BillingJob.prepare(options);
        DatabaseOptions database = new DatabaseOptions(options.jdbcUrl, fixture.postgres.user, fixture.postgres.password);
        try (Connection c = database.connect()) {
            key = new ApiKeyTable(c).create(ACCOUNT, "e2e", new SecureRandom()).key();
        }
        JobClient job = BillingJob.environment(options, JobConfiguration.of(options)).executeAsync("billing-gateway-it");
        HttpClient http = HttpClient.newHttpClient();
        try (CutoffClient cutoffs = CutoffClient.start(
                        CutoffClientConfig.builder(fixture.kafka.bootstrapServers()).topic(options.statusTopic).build());
                GatewayDoor door = TestDoors.open(fixture, options, cutoffs, "gateway-e2e");
                PostgresKeyStore keys = PostgresKeyStore.pooled(database, PostgresKeyStore.DEFAULT_CACHE_TTL);
                GatewayServer gateway = GatewayServer.start(keys, cutoffs, door.usage(), GatewaySettings.local("gateway-e2e"),
                        cutoffs::stats, null, door.admission(), new PaymentRequiredBody());
                AccountEvents events = new AccountEvents(fixture.kafka.bootstrapServers(), options.eventsTopic)) {
            assertThat(cutoffs.awaitBootstrap(TIMEOUT)).as("gateway caught up with account-status").isTrue();

            events.opened(ACCOUNT, TIMEOUT);
            Await.until("the new account's first status reaches the gateway", TIMEOUT,
                    () -> cutoffs.status(ACCOUNT) != null);
            assertThat(cutoffs.status(ACCOUNT).blocked()).isFalse();
            assertThat(cutoffs.status(ACCOUNT).balanceUsd()).isEqualByComparingTo("5.00");

            // spend the free credits, one request after the other, until the first 402
            int served = 0;
            long zeroAtNanos = 0;
            HttpResponse<String> refused = null;
            long startedNanos = System.nanoTime();
            long deadline = startedNanos + TIMEOUT.toNanos();
            while (refused == null) {
                assertThat(System.nanoTime()).as("still served after %d requests", served).isLessThan(deadline);
                assertThat(served).as("requests served beyond the free credits")
                        .isLessThanOrEqualTo(REQUESTS_TO_ZERO + MAX_OVERSPEND_REQUESTS);
                HttpResponse<String> r = post(http, gateway);
                if (r.statusCode() == 402) {
                    refused = r;
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    assertThat(JSON.readTree(r.body()).get("usage").get("total_tokens").asLong()).isEqualTo(40_000);
                    if (++served == REQUESTS_TO_ZERO) {
                        zeroAtNanos = System.nanoTime();
                    }
                }
            }
            long refusedAtNanos = System.nanoTime();
            assertThat(served).as("the free credits are all served first").isGreaterThanOrEqualTo(REQUESTS_TO_ZERO);
            int overspendRequests = served - REQUESTS_TO_ZERO;
            BigDecimal overspendUsd = COST_PER_REQUEST.multiply(BigDecimal.valueOf(overspendRequests));
            System.out.printf("OVERSPEND: balance reached $0.00 at request %d; %d more requests were served ($%s,"
                    + " %.0f ms) before the first 402, at request %d (one client, one request at a time,"
                    + " %.2f ms per request)%n", REQUESTS_TO_ZERO, overspendRequests, overspendUsd.toPlainString(),
                    (refusedAtNanos - zeroAtNanos) / 1e6, served + 1,
                    (zeroAtNanos - startedNanos) / 1e6 / REQUESTS_TO_ZERO);

            JsonNode error = JSON.readTree(refused.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("payment_required");
            // the job's cutoff, or, when its status has not arrived yet, the door: $0.00 left covers no request
            assertThat(error.get("code").asText()).isIn("balance_exhausted", "insufficient_balance");
            assertThat(error.get("message").asText()).contains("Add credits");
            assertThat(overspendRequests).as("the door admits no request the balance does not cover").isZero();
            Await.until("the job's cutoff reaches the gateway", TIMEOUT, () -> !cutoffs.check(ACCOUNT).allowed());
            AccountStatus cutoff = cutoffs.status(ACCOUNT);
            assertThat(cutoff.reasons()).containsExactly(BlockReason.BALANCE_EXHAUSTED);
            // the status leaves when the ledger's bundle closes: its balance includes the requests
            // billed in the same bundle after the one that took it to zero, and no others
            assertThat(cutoff.balanceUsd()).as("blocked at the bundle that took the balance to zero")
                    .isLessThanOrEqualTo(BigDecimal.ZERO).isGreaterThanOrEqualTo(overspendUsd.negate());
            assertThat(post(http, gateway).statusCode()).as("still blocked").isEqualTo(402);

            // buy credits: served again as soon as the job says so
            long purchasedAtNanos = System.nanoTime();
            events.creditsPurchased(ACCOUNT, "10.00", TIMEOUT);
            Await.until("the purchase reaches the gateway", TIMEOUT, () -> cutoffs.check(ACCOUNT).allowed());
            System.out.printf("RESUME: served again %.0f ms after the purchase was sent%n",
                    (System.nanoTime() - purchasedAtNanos) / 1e6);
            HttpResponse<String> again = post(http, gateway);
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            served++;

            // every request served was billed once: $5.00 free + $10.00 bought - $0.01 per request
            BigDecimal spend = COST_PER_REQUEST.multiply(BigDecimal.valueOf(served));
            BigDecimal expectedBalance = new BigDecimal("15.00").subtract(spend);
            int billed = served;
            Await.until("PostgreSQL bills every served request", TIMEOUT,
                    () -> spend.compareTo(spendUsd(options)) == 0 && requests(options) == billed);
            assertThat(balanceUsd(options)).isEqualByComparingTo(expectedBalance);
            assertThat(gateway.metrics().served()).isEqualTo(served);
            Await.until("every usage record delivered", TIMEOUT, () -> door.usage().undelivered() == 0);
            System.out.printf("BILLED: %d requests served and billed, spend $%s, balance $%s; 402 answers: %d%n",
                    served, spend.toPlainString(), expectedBalance.toPlainString(), gateway.metrics().paymentRequired());
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    private static HttpResponse<String> post(HttpClient http, GatewayServer gateway) throws Exception {
        return http.send(HttpRequest.newBuilder(gateway.chatCompletionsUri())
                        .header("Authorization", "Bearer " + key.text())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(REQUEST))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static BigDecimal spendUsd(JobOptions options) throws Exception {
        BigDecimal spend = queryDecimal(options, "SELECT spend_usd FROM account_balance WHERE account_id = ?");
        return spend == null ? BigDecimal.ZERO : spend;
    }

    private static BigDecimal balanceUsd(JobOptions options) throws Exception {
        return queryDecimal(options, "SELECT balance_usd FROM account_balance WHERE account_id = ?");
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
