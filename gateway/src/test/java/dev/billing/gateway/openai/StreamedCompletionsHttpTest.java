package dev.billing.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.Await;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.StatusTable;
import dev.billing.gateway.http.RawHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code "stream": true} over a real socket: the OpenAI chunk format, and the billing of a streamed
 * answer, exactly as a plain one, and when the client hangs up mid-stream for the tokens it was sent
 * (never zero).
 */
class StreamedCompletionsHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** "Hello, world!" is 13 characters: 4 prompt tokens. */
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world!\"}]";

    private final StatusTable statuses = new StatusTable();
    private final RecordingUsageSink usage = new RecordingUsageSink();
    private final HttpClient http = HttpClient.newHttpClient();
    private GatewayServer server;

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private void start(int chunkTokens, Duration chunkInterval) throws Exception {
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), statuses::check, usage,
                GatewaySettings.local("node-stream").withStreaming(chunkTokens, chunkInterval), null);
    }

    @Test
    void aStreamedAnswerIsBilledExactlyLikeThePlainOne() throws Exception {
        start(3, Duration.ZERO);
        HttpResponse<String> plain = post("{\"model\":\"deepseek-v3\",\"max_tokens\":20," + MESSAGES + "}");
        assertThat(plain.statusCode()).isEqualTo(200);

        HttpResponse<java.util.stream.Stream<String>> streamed = http.send(request("{\"model\":\"deepseek-v3\","
                + "\"max_tokens\":20,\"stream\":true,\"stream_options\":{\"include_usage\":true}," + MESSAGES + "}"),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("text/event-stream"));
        List<String> data = streamed.body().filter(l -> !l.isEmpty()).collect(Collectors.toList());

        assertThat(data).allSatisfy(l -> assertThat(l).startsWith("data: "));
        assertThat(data.get(data.size() - 1)).isEqualTo("data: [DONE]");
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : data.subList(0, data.size() - 1)) {
            chunks.add(JSON.readTree(line.substring("data: ".length())));
        }
        String id = streamed.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("model").asText()).isEqualTo("deepseek-v3");
        });
        assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        // 20 tokens at 3 per chunk: 7 content chunks, one word per token
        List<JsonNode> content = chunks.subList(1, chunks.size() - 2);
        assertThat(content).hasSize(7);
        // as a client assembles it: the deltas one after the other
        String text = content.stream().map(c -> c.at("/choices/0/delta/content").asText()).collect(Collectors.joining());
        assertThat(text.split(" ")).hasSize(20);
        assertThat(content).allSatisfy(c -> assertThat(c.get("usage").isNull()).isTrue());
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        JsonNode last = chunks.get(chunks.size() - 1);
        assertThat(last.get("choices")).isEmpty();
        assertThat(last.get("usage")).isEqualTo(JSON.readTree(plain.body()).get("usage"));
        assertThat(last.at("/usage/prompt_tokens").asLong()).isEqualTo(4);
        assertThat(last.at("/usage/completion_tokens").asLong()).isEqualTo(20);
        assertThat(last.at("/usage/total_tokens").asLong()).isEqualTo(24);

        assertThat(usage.records).hasSize(2);
        UsageRecord plainRecord = usage.records.get(0);
        UsageRecord streamedRecord = usage.records.get(1);
        assertThat(streamedRecord.requestId()).isEqualTo(id);
        assertThat(streamedRecord.accountId()).isEqualTo(plainRecord.accountId()).isEqualTo("acct-s");
        assertThat(streamedRecord.model()).isEqualTo("deepseek-v3");
        assertThat(streamedRecord.promptTokens()).isEqualTo(plainRecord.promptTokens()).isEqualTo(4);
        assertThat(streamedRecord.completionTokens()).isEqualTo(plainRecord.completionTokens()).isEqualTo(20);
        assertThat(server.metrics().served()).isEqualTo(2);
        assertThat(server.metrics().streamsCutShort()).isZero();
    }

    @Test
    void withoutIncludeUsageNoChunkCarriesUsageAndTheAnswerIsBilledAllTheSame() throws Exception {
        start(8, Duration.ZERO);

        HttpResponse<String> r = http.send(request("{\"stream\":true," + MESSAGES + "}"), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).doesNotContain("\"usage\"").endsWith("data: [DONE]\n\n");
        assertThat(r.body()).contains("\"finish_reason\":\"stop\"");
        assertThat(usage.records).hasSize(1);
        // no max_tokens: the default completion of GatewaySettings.local, 128 tokens
        assertThat(usage.records.get(0).completionTokens()).isEqualTo(128);
        assertThat(usage.records.get(0).model()).isEqualTo("llama-3.3-70b");
    }

    @Test
    void aClientThatHangsUpMidStreamIsBilledOnceForTheTokensItWasSent() throws Exception {
        int chunkTokens = 5;
        long maxTokens = 100_000; // 20,000 chunks at 1 ms each: far longer than the test
        start(chunkTokens, Duration.ofMillis(1));
        int chunksRead = 10;

        try (RawHttpClient client = new RawHttpClient(server.port())) {
            client.post(ChatCompletionsHandler.PATH, "Bearer sk-acct-hangs-up", "{\"model\":\"llama-3.1-8b\",\"max_tokens\":"
                    + maxTokens + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}," + MESSAGES + "}");
            assertThat(JSON.readTree(client.nextEvent()).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
            for (int i = 0; i < chunksRead; i++) {
                assertThat(JSON.readTree(client.nextEvent()).at("/choices/0/delta/content").asText().trim().split(" "))
                        .hasSize(chunkTokens);
            }
        } // hangs up

        Await.until("the gateway notices the hang-up", TIMEOUT, () -> server.metrics().streamsCutShort() == 1);
        assertThat(usage.records).as("one usage record, emitted before the hang-up was counted").hasSize(1);
        UsageRecord billed = usage.records.get(0);
        assertThat(billed.accountId()).isEqualTo("acct-hangs-up");
        assertThat(billed.model()).isEqualTo("llama-3.1-8b");
        assertThat(billed.promptTokens()).isEqualTo(4);
        assertThat(billed.completionTokens()).as("at least what the client read, less than asked for")
                .isGreaterThanOrEqualTo((long) chunksRead * chunkTokens)
                .isLessThan(maxTokens)
                .isEqualTo(billed.completionTokens() / chunkTokens * chunkTokens);
        System.out.printf("HANG-UP: the client read %d tokens and hung up; billed %d completion tokens%n",
                chunksRead * chunkTokens, billed.completionTokens());
        assertThat(server.metrics().served()).isEqualTo(1);
    }

    @Test
    void aStreamedRecordNamesTheKeyItWasAuthenticatedBy() throws Exception {
        server = GatewayServer.start(header -> java.util.Optional.of(new Authenticator.Caller("acct-k", "key_0123")),
                statuses::check, usage, GatewaySettings.local("node-stream").withStreaming(4, Duration.ZERO), null);

        HttpResponse<String> r = post("{\"stream\":true,\"max_tokens\":8," + MESSAGES + "}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(usage.records).hasSize(1);
        assertThat(usage.records.get(0).accountId()).isEqualTo("acct-k");
        assertThat(usage.records.get(0).keyId()).isEqualTo("key_0123");
        assertThat(usage.records.get(0).completionTokens()).isEqualTo(8);
    }

    @Test
    void aBlockedAccountAskingForAStreamGetsThe402AsJson() throws Exception {
        start(4, Duration.ZERO);
        statuses.apply(new dev.billing.gateway.client.AccountStatus("acct-b", true,
                List.of(dev.billing.gateway.client.BlockReason.BALANCE_EXHAUSTED), java.math.BigDecimal.ZERO,
                new java.math.BigDecimal("5.00"), 1, java.time.Instant.now()));

        HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.chatCompletionsUri())
                .header("Authorization", "Bearer sk-acct-b")
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true," + MESSAGES + "}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(402);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(JSON.readTree(r.body()).at("/error/code").asText()).isEqualTo("balance_exhausted");
        assertThat(usage.records).isEmpty();
    }

    @Test
    void refusesStreamOptionsWithoutStreamAndAStreamThatIsNotABoolean() throws Exception {
        start(4, Duration.ZERO);

        HttpResponse<String> options = http.send(request("{\"stream_options\":{\"include_usage\":true}," + MESSAGES + "}"),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> notBoolean = http.send(request("{\"stream\":\"yes\"," + MESSAGES + "}"),
                HttpResponse.BodyHandlers.ofString());

        assertThat(options.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(options.body()).at("/error/param").asText()).isEqualTo("stream_options");
        assertThat(notBoolean.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notBoolean.body()).at("/error/param").asText()).isEqualTo("stream");
        assertThat(usage.records).isEmpty();
    }

    private HttpRequest request(String body) {
        return HttpRequest.newBuilder(server.chatCompletionsUri())
                .header("Authorization", "Bearer sk-acct-s")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(request(body), HttpResponse.BodyHandlers.ofString());
    }
}
