package dev.billing.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.BlockReason;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.client.StatusTable;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP side of the gateway over a real socket, with statuses set by hand and usage kept in memory. */
class ChatCompletionsHttpTest {
    private static final String OPERATOR_TOKEN = "operator-secret";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELLO = "{\"model\":\"deepseek-v3\",\"max_tokens\":20,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";

    private final StatusTable statuses = new StatusTable();
    private final RecordingUsageSink usage = new RecordingUsageSink();
    private final HttpClient http = HttpClient.newHttpClient();
    private GatewayServer server;
    private volatile boolean unavailable;

    @BeforeEach
    void start() throws Exception {
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), id -> unavailable ? Decision.STATUS_UNAVAILABLE : statuses.check(id), usage,
                GatewaySettings.local("node-test").withOperatorToken(OPERATOR_TOKEN), null);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void servesAnActiveAccountAndReportsItsUsage() throws Exception {
        HttpResponse<String> r = post("Bearer sk-acct-1", HELLO);

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("model").asText()).isEqualTo("deepseek-v3");
        assertThat(body.get("choices").get(0).get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(body.get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        JsonNode u = body.get("usage");
        assertThat(u.get("prompt_tokens").asLong()).isEqualTo(4);
        assertThat(u.get("completion_tokens").asLong()).isEqualTo(20);
        assertThat(u.get("total_tokens").asLong()).isEqualTo(24);

        assertThat(usage.records).hasSize(1);
        UsageRecord sent = usage.records.get(0);
        assertThat(sent.requestId()).isEqualTo(body.get("id").asText()).startsWith("chatcmpl-");
        assertThat(r.headers().firstValue("X-Request-Id")).contains(sent.requestId());
        assertThat(sent.accountId()).isEqualTo("acct-1");
        assertThat(sent.model()).isEqualTo("deepseek-v3");
        assertThat(sent.promptTokens()).isEqualTo(4);
        assertThat(sent.completionTokens()).isEqualTo(20);
        assertThat(sent.nodeId()).isEqualTo("node-test");
        assertThat(server.metrics().served()).isEqualTo(1);
    }

    @Test
    void answersABlockedAccount402WithThePricingPagesMessageAndBillsNothing() throws Exception {
        statuses.apply(new AccountStatus("acct-2", true, List.of(BlockReason.BALANCE_EXHAUSTED),
                new BigDecimal("-0.01"), new BigDecimal("5.01"), 7, Instant.now()));

        HttpResponse<String> r = post("Bearer sk-acct-2", HELLO);

        assertThat(r.statusCode()).isEqualTo(402);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("payment_required");
        assertThat(error.get("code").asText()).isEqualTo("balance_exhausted");
        assertThat(error.get("message").asText()).contains("Add credits");
        assertThat(usage.records).isEmpty();
        assertThat(server.metrics().paymentRequired()).isEqualTo(1);

        statuses.apply(new AccountStatus("acct-2", false, List.of(), new BigDecimal("9.99"), new BigDecimal("5.01"),
                8, Instant.now()));
        assertThat(post("Bearer sk-acct-2", HELLO).statusCode()).isEqualTo(200);
    }

    @Test
    void answers503WhileTheStatusIsUnavailable() throws Exception {
        unavailable = true;

        HttpResponse<String> r = post("Bearer sk-acct-3", HELLO);

        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).contains("1");
        assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("billing_status_unavailable");
        assertThat(usage.records).isEmpty();
    }

    @Test
    void refusesRequestsItCannotBill() throws Exception {
        assertError(post(null, HELLO), 401, "invalid_api_key");
        assertError(post("Bearer acct-1", HELLO), 401, "invalid_api_key");
        assertError(post("Bearer sk-acct-1", "{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}"),
                404, "model_not_found");
        assertError(post("Bearer sk-acct-1", "{not json"), 400, null);
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(server.chatCompletionsUri()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(get, 405, "method_not_allowed");
        assertThat(get.headers().firstValue("Allow")).contains("POST");
        assertThat(usage.records).isEmpty();
        assertThat(server.metrics().rejected()).isEqualTo(5);
    }

    @Test
    void servesUpToTheContextWindowAndRefusesMoreInOpenAisShape() throws Exception {
        // "Hello, world!" is 4 prompt tokens; the pricing page's window is 131,072 tokens
        long most = 131_072 - 4;
        String atTheWindow = "{\"model\":\"llama-3.1-8b\",\"max_tokens\":" + most
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";
        String beyond = "{\"model\":\"llama-3.1-8b\",\"max_completion_tokens\":" + (most + 1)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";
        String beyondStreamed = "{\"model\":\"llama-3.1-8b\",\"stream\":true,\"max_tokens\":" + (most + 1)
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";
        String promptFillsTheWindow = "{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(4 * 131_072) + "\"}]}";

        HttpResponse<String> served = post("Bearer sk-acct-big", atTheWindow);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(JSON.readTree(served.body()).at("/usage/total_tokens").asLong()).isEqualTo(131_072);
        for (HttpResponse<String> r : List.of(post("Bearer sk-acct-big", beyond), post("Bearer sk-acct-big", beyondStreamed))) {
            assertError(r, 400, "context_length_exceeded");
            JsonNode error = JSON.readTree(r.body()).get("error");
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.get("param").asText()).isEqualTo("max_tokens");
            assertThat(error.get("message").asText()).startsWith("This model's maximum context length is 131072 tokens."
                    + " However, you requested 131073 tokens (4 in the messages, 131069 in the completion).");
        }
        HttpResponse<String> tooLong = post("Bearer sk-acct-big", promptFillsTheWindow);
        assertError(tooLong, 400, "context_length_exceeded");
        assertThat(JSON.readTree(tooLong.body()).at("/error/param").asText()).isEqualTo("messages");
        assertThat(usage.records).hasSize(1);
        assertThat(usage.records.get(0).totalTokens()).isEqualTo(131_072);
    }

    @Test
    void aRequestWhoseUsageCannotBeMadeDurableIsRefusedAtOnceAndHoldsNothing() throws Exception {
        usage.accepting = false; // a full journal: refused before anything is held or served
        HttpResponse<String> refused = post("Bearer sk-acct-full", HELLO);
        assertError(refused, 503, "usage_not_durable");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

        // served, then its usage cannot be written: 503, and its hold released. 200 of them hold
        // nothing: at $0.032768 at worst each ($6.55 in all), a leaked hold would refuse the last one
        usage.accepting = true;
        usage.writesFail = true;
        String wholeWindow = "{\"model\":\"deepseek-v3\",\"max_tokens\":131068,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]}";
        for (int i = 0; i < 200; i++) {
            assertError(post("Bearer sk-acct-full", wholeWindow), 503, "usage_not_durable");
        }
        usage.writesFail = false;
        HttpResponse<String> served = post("Bearer sk-acct-full", wholeWindow);
        assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
        assertThat(usage.records).hasSize(1);
    }

    @Test
    void healthReportsTheCounters() throws Exception {
        post("Bearer sk-acct-1", HELLO);

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.healthUri())
                .header("Authorization", "Bearer " + OPERATOR_TOKEN).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("requests").get("served").asLong()).isEqualTo(1);
    }

    @Test
    void healthTellsOthersOnlyWhetherItIsReady() throws Exception {
        for (String authorization : new String[] {null, "Bearer sk-acct-1", "Bearer " + OPERATOR_TOKEN + "x"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(server.healthUri());
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"status\":\"ok\"}");
        }
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error.get("message").asText()).isNotBlank();
        if (code != null) {
            assertThat(error.get("code").asText()).isEqualTo(code);
        }
    }

    private HttpResponse<String> post(String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.chatCompletionsUri())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
