package dev.billing.gateway;

import java.util.List;

/**
 * Stands in for an inference node: counts the prompt's tokens the way the pricing page explains
 * them (about four characters per token) and "generates" a completion of a known length, so that
 * tests and demos know exactly what each request costs.
 */
final class SimulatedInference {
    static final int CHARS_PER_TOKEN = 4;

    /** What the node answers. */
    record Completion(long promptTokens, long completionTokens, String content, String finishReason) {}

    private final long defaultCompletionTokens;

    SimulatedInference(long defaultCompletionTokens) {
        this.defaultCompletionTokens = defaultCompletionTokens;
    }

    /** {@code max_tokens} completion tokens when the request sets it (finish "length"), else the default ("stop"). */
    Completion complete(ChatRequest request) {
        long prompt = promptTokens(request.messageTexts());
        boolean limited = request.maxTokens() != null;
        long completion = limited ? request.maxTokens() : defaultCompletionTokens;
        String content = "This is a simulated completion by " + request.model() + ": " + completion + " tokens.";
        return new Completion(prompt, completion, content, limited ? "length" : "stop");
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
