package dev.billing.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.client.BlockReason;
import dev.billing.gateway.client.StatusTable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java library ({@code com.openai:openai-java}), unchanged but for its base
 * URL and key, against the gateway: it lists the models, gets plain and streamed completions with
 * their usage, and surfaces a 402 as its API error with the pricing page's words. Statuses are set
 * by hand as in ChatCompletionsHttpTest; the usage the gateway reports is kept in memory and
 * compared with what the library read.
 */
class OpenAiClientIT {
    private static final String ACCOUNT = "acct-sdk";
    private static final int CHUNK_TOKENS = 4;
    /** 40 characters: 10 prompt tokens. */
    private static final String PROMPT = "Tell me about streaming billing, please.";

    private final StatusTable statuses = new StatusTable();
    private final RecordingUsageSink usage = new RecordingUsageSink();
    private GatewayServer server;
    private OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        server = GatewayServer.start(GatewayServer.demoAccountKeys(), statuses::check, usage,
                GatewaySettings.local("node-sdk").withStreaming(CHUNK_TOKENS, Duration.ofMillis(1)), null);
        client = OpenAIOkHttpClient.builder()
                .baseUrl(server.apiBaseUri().toString())
                .apiKey("sk-" + ACCOUNT)
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        server.close();
    }

    @Test
    void listsTheModelsWithAPrice() {
        List<String> ids = client.models().list().data().stream().map(Model::id).collect(Collectors.toList());

        assertThat(ids).containsExactly("qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b");
        assertThat(client.models().retrieve("deepseek-v3").ownedBy()).isNotBlank();
    }

    @Test
    void aPlainCompletionCarriesTheUsageTheGatewayBills() {
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("deepseek-v3").addUserMessage(PROMPT).maxCompletionTokens(25).build());

        assertThat(completion.model()).isEqualTo("deepseek-v3");
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        CompletionUsage u = completion.usage().orElseThrow();
        assertThat(u.promptTokens()).isEqualTo(10);
        assertThat(u.completionTokens()).isEqualTo(25);
        assertThat(u.totalTokens()).isEqualTo(35);

        assertThat(usage.records).hasSize(1);
        assertBilled(usage.records.get(0), completion.id(), u);
    }

    @Test
    void aStreamedCompletionEndsWithTheUsageTheGatewayBills() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("llama-3.1-8b").addUserMessage(PROMPT).maxCompletionTokens(30)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunks::add);
        }

        StringBuilder text = new StringBuilder();
        chunks.forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(text::append)));
        assertThat(text.toString().split(" ")).as("one word per token").hasSize(30);
        assertThat(chunks).extracting(ChatCompletionChunk::id).containsOnly(chunks.get(0).id());
        assertThat(chunks.stream().flatMap(c -> c.choices().stream()).map(ch -> ch.finishReason().orElse(null))
                .filter(f -> f != null)).containsExactly(ChatCompletionChunk.Choice.FinishReason.LENGTH);
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        CompletionUsage u = last.usage().orElseThrow();
        assertThat(u.promptTokens()).isEqualTo(10);
        assertThat(u.completionTokens()).isEqualTo(30);
        assertThat(u.totalTokens()).isEqualTo(40);

        assertThat(usage.records).hasSize(1);
        assertBilled(usage.records.get(0), last.id(), u);
        assertThat(usage.records.get(0).model()).isEqualTo("llama-3.1-8b");
    }

    @Test
    void aBlockedAccountGetsTheLibrarysApiErrorWithThePricingPagesWords() {
        statuses.apply(new AccountStatus(ACCOUNT, true, List.of(BlockReason.BALANCE_EXHAUSTED), new BigDecimal("-0.02"),
                new BigDecimal("5.02"), 3, Instant.now()));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("deepseek-v3").addUserMessage(PROMPT).build();

        OpenAIServiceException plain = catchThrowableOfType(OpenAIServiceException.class,
                () -> client.chat().completions().create(params));
        OpenAIServiceException streamed = catchThrowableOfType(OpenAIServiceException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(params)) {
                s.stream().forEach(c -> { });
            }
        });

        for (OpenAIServiceException e : List.of(plain, streamed)) {
            assertThat(e.statusCode()).isEqualTo(402);
            assertThat(e.type()).contains("payment_required");
            assertThat(e.code()).contains("balance_exhausted");
            // the pricing page: "Add credits to resume usage immediately. No data is lost."
            assertThat(e.getMessage()).contains("Add credits").contains("No data is lost");
        }
        assertThat(usage.records).isEmpty();
    }

    @Test
    void tooManyTokensAreTheLibrarysBadRequest() {
        BadRequestException e = catchThrowableOfType(BadRequestException.class,
                () -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model("deepseek-v3").addUserMessage(PROMPT).maxCompletionTokens(1_000_000_000_000L).build()));

        assertThat(e.statusCode()).isEqualTo(400);
        assertThat(e.param()).contains("max_tokens");
        assertThat(usage.records).isEmpty();
    }

    private static void assertBilled(UsageRecord record, String id, CompletionUsage u) {
        assertThat(record.requestId()).isEqualTo(id);
        assertThat(record.accountId()).isEqualTo(ACCOUNT);
        assertThat(record.promptTokens()).isEqualTo(u.promptTokens());
        assertThat(record.completionTokens()).isEqualTo(u.completionTokens());
        assertThat(record.totalTokens()).isEqualTo(u.totalTokens());
    }
}
