package dev.billing.gateway.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.Await;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.http.RawHttpClient;
import dev.billing.gateway.openai.ChatCompletionsHandler;
import dev.billing.gateway.openai.RecordingUsageSink;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-account limits over HTTP: 429 in OpenAI's shape, with Retry-After and the x-ratelimit headers. */
class AccountLimitsHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String HELLO = "{\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    private static final String ENDLESS_STREAM = "{\"max_tokens\":100000,\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

    private final RecordingUsageSink usage = new RecordingUsageSink();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private GatewayServer server;

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private void start(AccountLimits limits) throws Exception {
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), id -> Decision.UNKNOWN_ACCOUNT, usage,
                GatewaySettings.local("node-limits").withStreaming(1, Duration.ofMillis(20)).withAccountLimits(limits), null);
    }

    @Test
    void overItsRateAnAccountIsAnswered429WithWhenToRetryAndOthersAreNot() throws Exception {
        start(new AccountLimits(8, 3, Map.of(), Map.of("acct-custom", 5)));

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = post("acct-r");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.headers().firstValue("x-ratelimit-limit-requests")).hasValue("3");
            assertThat(r.headers().firstValue("x-ratelimit-remaining-requests")).hasValue(Integer.toString(2 - i));
            assertThat(r.headers().firstValue("x-ratelimit-reset-requests")).isPresent();
        }
        HttpResponse<String> refused = post("acct-r");

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 20L);
        assertThat(refused.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
        JsonNode error = JSON.readTree(refused.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo("requests");
        assertThat(error.get("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("message").asText()).contains("requests per minute");
        assertThat(usage.records).as("only the requests served are billed").hasSize(3);
        assertThat(server.metrics().rateLimited()).isEqualTo(1);

        for (int i = 0; i < 5; i++) {
            assertThat(post("acct-custom").statusCode()).as("a custom limit of 5").isEqualTo(200);
        }
        assertThat(post("acct-custom").statusCode()).isEqualTo(429);
        assertThat(post("acct-other").statusCode()).isEqualTo(200);
    }

    @Test
    void anAccountHasAtMostItsConcurrencyLimitInFlightStreamsIncluded() throws Exception {
        start(new AccountLimits(2, 1000, Map.of(), Map.of()));
        try (RawHttpClient first = new RawHttpClient(server.port()); RawHttpClient second = new RawHttpClient(server.port())) {
            first.post(ChatCompletionsHandler.PATH, "Bearer sk-acct-c", ENDLESS_STREAM);
            second.post(ChatCompletionsHandler.PATH, "Bearer sk-acct-c", ENDLESS_STREAM);
            assertThat(first.nextEvent()).isNotNull();
            assertThat(second.nextEvent()).isNotNull();

            HttpResponse<String> third = post("acct-c");
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JSON.readTree(third.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
            assertThat(JSON.readTree(third.body()).at("/error/message").asText()).contains("at most 2");
            assertThat(post("acct-d").statusCode()).as("another account").isEqualTo(200);
        } // both hang up: their slots are freed once each stream has recorded its usage

        Await.until("the hung-up streams recorded", TIMEOUT, () -> usage.records.size() == 3);
        Await.until("their slots freed", TIMEOUT, () -> post("acct-c").statusCode() == 200);
    }

    @Test
    void overItsTokensPerMinuteARequestIsAnswered429WithTheTokenHeaders() throws Exception {
        // "Hello" is 2 tokens: each request's worst case is 2 + 5 = 7 tokens
        start(new AccountLimits(8, 1000, Map.of(), Map.of()).withTokensPerMinute(20, Map.of()));

        HttpResponse<String> first = post("acct-t");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("x-ratelimit-limit-tokens")).hasValue("20");
        assertThat(first.headers().firstValue("x-ratelimit-remaining-tokens")).hasValue("13");
        assertThat(post("acct-t").statusCode()).isEqualTo(200);
        HttpResponse<String> third = post("acct-t");

        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(JSON.readTree(third.body()).at("/error/type").asText()).isEqualTo("tokens");
        assertThat(JSON.readTree(third.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(usage.records).hasSize(2);
    }

    private HttpResponse<String> post(String account) throws Exception {
        return http.send(HttpRequest.newBuilder(server.chatCompletionsUri()).timeout(TIMEOUT)
                .header("Authorization", "Bearer sk-" + account)
                .POST(HttpRequest.BodyPublishers.ofString(HELLO)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
