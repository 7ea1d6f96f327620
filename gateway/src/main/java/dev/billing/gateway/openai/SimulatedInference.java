package dev.billing.gateway.openai;

import java.util.List;

/**
 * Stands in for an inference node: counts the prompt's tokens the way the pricing page explains
 * them (about four characters per token) and "generates" a completion of a known length, so that
 * tests and demos know exactly what each request costs.
 */
final class SimulatedInference {
    static final int CHARS_PER_TOKEN = 4;
    private static final String[] WORDS = {"This", "is", "a", "simulated", "streamed", "completion."};

    /** What the node answers. */
    record Completion(long promptTokens, long completionTokens, String content, String finishReason) {}

    private final long defaultCompletionTokens;

    SimulatedInference(long defaultCompletionTokens) {
        this.defaultCompletionTokens = defaultCompletionTokens;
    }

    /**
     * {@code max_tokens} completion tokens when the request sets it (finish "length"), else the
     * default, cut to {@code completionBound} (the context window's remainder) when longer.
     */
    Completion complete(ChatRequest request, long promptTokens, long completionBound) {
        boolean limited = request.maxTokens() != null || defaultCompletionTokens > completionBound;
        long completion = Math.min(request.maxTokens() != null ? request.maxTokens() : defaultCompletionTokens,
                completionBound);
        String content = "This is a simulated completion by " + request.model() + ": " + completion + " tokens.";
        return new Completion(promptTokens, completion, content, limited ? "length" : "stop");
    }

    /** The text of {@code count} completion tokens from token {@code first} on, one word per token, for streaming. */
    static String tokenText(long first, int count) {
        StringBuilder text = new StringBuilder();
        for (long i = first; i < first + count; i++) {
            if (i > 0) {
                text.append(' ');
            }
            text.append(WORDS[(int) (i % WORDS.length)]);
        }
        return text.toString();
    }

    /** One token per started four characters of each message, and at least one per message. */
    static long promptTokens(List<String> messageTexts) {
        long tokens = 0;
        for (String text : messageTexts) {
            tokens += Math.max(1, (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
        }
        return tokens;
    }
}
