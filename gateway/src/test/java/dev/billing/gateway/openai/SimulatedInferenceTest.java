package dev.billing.gateway.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.gateway.http.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedInferenceTest {
    private final SimulatedInference node = new SimulatedInference(128);

    @Test
    void promptTokensAreAboutFourCharactersEach() {
        assertThat(SimulatedInference.promptTokens(List.of("Hello, world!"))).as("13 chars").isEqualTo(4);
        assertThat(SimulatedInference.promptTokens(List.of("abcd", "abcde", ""))).isEqualTo(1 + 2 + 1);
    }

    @Test
    void maxTokensIsTheCompletionLength() throws ApiError {
        SimulatedInference.Completion c = node.complete(parse("{\"model\":\"deepseek-v3\",\"max_tokens\":4000,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(400) + "\"}]}"), 100, 4000);

        assertThat(c.promptTokens()).isEqualTo(100);
        assertThat(c.completionTokens()).isEqualTo(4000);
        assertThat(c.finishReason()).isEqualTo("length");
    }

    @Test
    void withoutMaxTokensTheDefaultLengthStops() throws ApiError {
        ChatRequest request = parse("{\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi there\"}]}]}");
        SimulatedInference.Completion c = node.complete(request, SimulatedInference.promptTokens(request.messageTexts()),
                131_072 - 5);

        assertThat(c.promptTokens()).isEqualTo(3 + 2);
        assertThat(c.completionTokens()).isEqualTo(128);
        assertThat(c.finishReason()).isEqualTo("stop");
    }

    @Test
    void theDefaultLengthStopsAtTheContextWindow() throws ApiError {
        ChatRequest request = parse("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi there\"}]}");
        SimulatedInference.Completion c = node.complete(request, 2, 100);

        assertThat(c.completionTokens()).isEqualTo(100);
        assertThat(c.finishReason()).isEqualTo("length");
    }

    @Test
    void readsTheRequest() throws ApiError {
        ChatRequest r = parse("{\"model\":\"llama-3.1-8b\",\"max_completion_tokens\":7,\"stream\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}");

        assertThat(r.model()).isEqualTo("llama-3.1-8b");
        assertThat(r.maxTokens()).isEqualTo(7);
        assertThat(parse("{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}").model()).isEqualTo("llama-3.3-70b");
    }

    @Test
    void refusesWhatIsNotAChatRequest() {
        for (String bad : List.of("not json", "[]", "{}", "{\"messages\":[]}", "{\"messages\":[\"hi\"]}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":0}",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],\"max_tokens\":\"ten\"}",
                "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOfSatisfying(ApiError.class,
                    e -> assertThat(e.status).isEqualTo(400));
        }
    }

    private static ChatRequest parse(String json) throws ApiError {
        return ChatRequest.parse(json.getBytes(StandardCharsets.UTF_8), "llama-3.3-70b");
    }
}
