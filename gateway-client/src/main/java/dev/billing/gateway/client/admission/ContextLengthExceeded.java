package dev.billing.gateway.client.admission;

/**
 * A request whose prompt and completion limit do not fit its model's context window: answer 400
 * in OpenAI's shape, {@code code: context_length_exceeded}, with {@link #getMessage()}.
 */
public final class ContextLengthExceeded extends Exception {
    public static final String CODE = "context_length_exceeded";
    private static final long serialVersionUID = 1L;

    private final transient Long maxTokens;

    ContextLengthExceeded(long window, long promptTokens, Long maxTokens) {
        super(maxTokens == null
                ? "This model's maximum context length is " + window + " tokens. However, your messages resulted in "
                        + promptTokens + " tokens, which leaves no room for a completion. Please reduce the length of"
                        + " the messages."
                : "This model's maximum context length is " + window + " tokens. However, you requested "
                        + (promptTokens + maxTokens) + " tokens (" + promptTokens + " in the messages, " + maxTokens
                        + " in the completion). Please reduce the length of the messages or completion.");
        this.maxTokens = maxTokens;
    }

    /** The request parameter at fault: {@code messages}, or {@code max_tokens} when the limit alone is too large. */
    public String param() {
        return maxTokens == null ? "messages" : "max_tokens";
    }
}
