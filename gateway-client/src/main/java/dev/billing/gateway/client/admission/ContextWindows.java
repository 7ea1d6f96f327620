package dev.billing.gateway.client.admission;

import java.util.HashMap;
import java.util.Map;

/**
 * Each model's context window: the most tokens a request's prompt and completion may hold
 * together (the pricing page: 128K). It makes a request's worst case finite: a request asks for
 * at most its {@code max_tokens}, and without one for the window's remainder.
 */
public final class ContextWindows {
    /** The pricing page's "128K context window". */
    public static final long DEFAULT_TOKENS = 131_072;
    /** The most tokens the billing job bills in one usage record (its parser's bound on every token count). */
    public static final long MAX_TOKENS = 1_000_000_000_000L;

    private final long defaultTokens;
    private final Map<String, Long> byModel;

    /**
     * @param defaultTokens the window of a model not in {@code byModel}
     * @param byModel windows of particular models
     */
    public ContextWindows(long defaultTokens, Map<String, Long> byModel) {
        check(defaultTokens, "the default context window");
        byModel.forEach((model, tokens) -> check(tokens, "the context window of " + model));
        this.defaultTokens = defaultTokens;
        this.byModel = new HashMap<>(byModel);
    }

    /** Every model {@link #DEFAULT_TOKENS}. */
    public ContextWindows() {
        this(DEFAULT_TOKENS, Map.of());
    }

    private static void check(long tokens, String what) {
        if (tokens < 2 || tokens > MAX_TOKENS) {
            throw new IllegalArgumentException(what + " must be from 2 to " + MAX_TOKENS + " tokens, not " + tokens);
        }
    }

    /** {@code 131072 tokens} or {@code 131072 tokens (deepseek-v3: 65536)}. */
    @Override
    public String toString() {
        return defaultTokens + " tokens" + (byModel.isEmpty() ? "" : " " + byModel);
    }

    public long of(String model) {
        return byModel.getOrDefault(model, defaultTokens);
    }

    /**
     * The most completion tokens the request may produce: its {@code max_tokens}, or without one
     * the window's remainder.
     *
     * @param maxTokens the request's completion limit, or null when it sets none
     * @throws ContextLengthExceeded when the prompt and the completion limit do not fit the window
     */
    public long completionBound(String model, long promptTokens, Long maxTokens) throws ContextLengthExceeded {
        long window = of(model);
        long bound = maxTokens != null ? maxTokens : window - promptTokens;
        if (promptTokens >= window || bound > window - promptTokens) {
            throw new ContextLengthExceeded(window, promptTokens, maxTokens);
        }
        return bound;
    }
}
