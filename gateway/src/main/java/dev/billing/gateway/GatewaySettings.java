package dev.billing.gateway;

import dev.billing.gateway.client.admission.ContextWindows;
import dev.billing.gateway.http.HttpLimits;
import dev.billing.gateway.limits.AccountLimits;
import dev.billing.gateway.openai.PricedModels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the reference gateway serves.
 *
 * @param host address to bind, 0.0.0.0 for all
 * @param port port to bind, 0 for any free one
 * @param nodeId the {@code node_id} of the usage records this gateway's simulated node reports
 * @param defaultModel the model of a request that names none
 * @param models the model ids served and listed, each with a price on the job's rate card; others
 *     are answered 404 model_not_found
 * @param defaultCompletionTokens completion length of a request without {@code max_tokens}
 * @param threads request handler threads (Jetty's selector and acceptor come on top)
 * @param streamChunkTokens completion tokens per chunk of a streamed answer
 * @param streamChunkInterval the simulated generation time of one chunk of a streamed answer
 * @param contextWindows each model's context window: a request that does not fit is refused 400
 * @param http what the HTTP server accepts of a client
 * @param accountLimits each account's concurrency and rate limits (429 beyond)
 * @param operatorToken the bearer token that sees /health's details; null for nobody
 */
public record GatewaySettings(String host, int port, String nodeId, String defaultModel, List<String> models,
        long defaultCompletionTokens, int threads, int streamChunkTokens, Duration streamChunkInterval,
        ContextWindows contextWindows, HttpLimits http, AccountLimits accountLimits, String operatorToken) {

    /** The models and ids of the pricing page. */
    public static final List<String> PRICING_PAGE_MODELS = PricedModels.IDS;
    public static final int DEFAULT_STREAM_CHUNK_TOKENS = 4;
    public static final Duration DEFAULT_STREAM_CHUNK_INTERVAL = Duration.ofMillis(2);

    public GatewaySettings {
        models = List.copyOf(models);
        java.util.Objects.requireNonNull(http, "http");
        java.util.Objects.requireNonNull(accountLimits, "accountLimits");
        if (!models.contains(defaultModel)) {
            throw new IllegalArgumentException("the default model " + defaultModel + " is not among " + models);
        }
        List<String> unpriced = new ArrayList<>(models);
        unpriced.removeIf(PricedModels::priced);
        if (!unpriced.isEmpty()) {
            throw new IllegalArgumentException("no list price for " + String.join(", ", unpriced) + ": the billing job"
                    + " would dead-letter the usage of such a request (UNKNOWN_MODEL), so the gateway does not serve it."
                    + " Priced models: " + String.join(", ", PricedModels.IDS));
        }
        if (defaultCompletionTokens < 1 || threads < 1 || streamChunkTokens < 1) {
            throw new IllegalArgumentException("default completion tokens, threads and stream chunk tokens must be positive");
        }
        if (defaultCompletionTokens > ContextWindows.MAX_TOKENS) {
            throw new IllegalArgumentException("default completion tokens must be at most " + ContextWindows.MAX_TOKENS
                    + ", the most the billing job bills in one request");
        }
        if (streamChunkInterval.isNegative()) {
            throw new IllegalArgumentException("the stream chunk interval must not be negative");
        }
    }

    /** The default HTTP limits, no account limits, no operator. */
    public GatewaySettings(String host, int port, String nodeId, String defaultModel, List<String> models,
            long defaultCompletionTokens, int threads, int streamChunkTokens, Duration streamChunkInterval,
            ContextWindows contextWindows) {
        this(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads, streamChunkTokens,
                streamChunkInterval, contextWindows, HttpLimits.DEFAULTS, AccountLimits.NONE, null);
    }

    /** The pricing page's context window for every model. */
    public GatewaySettings(String host, int port, String nodeId, String defaultModel, List<String> models,
            long defaultCompletionTokens, int threads, int streamChunkTokens, Duration streamChunkInterval) {
        this(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads, streamChunkTokens,
                streamChunkInterval, new ContextWindows());
    }

    /** Streamed answers at {@link #DEFAULT_STREAM_CHUNK_TOKENS} tokens per {@link #DEFAULT_STREAM_CHUNK_INTERVAL}. */
    public GatewaySettings(String host, int port, String nodeId, String defaultModel, List<String> models,
            long defaultCompletionTokens, int threads) {
        this(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads, DEFAULT_STREAM_CHUNK_TOKENS,
                DEFAULT_STREAM_CHUNK_INTERVAL);
    }

    /** Any free port on the loopback interface, the pricing page's models, 128 completion tokens. */
    public static GatewaySettings local(String nodeId) {
        return new GatewaySettings("127.0.0.1", 0, nodeId, "llama-3.3-70b", PRICING_PAGE_MODELS, 128, 8);
    }

    /** The same, streaming {@code chunkTokens} tokens per {@code chunkInterval}. */
    public GatewaySettings withStreaming(int chunkTokens, Duration chunkInterval) {
        return new GatewaySettings(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads, chunkTokens,
                chunkInterval, contextWindows, http, accountLimits, operatorToken);
    }

    /** The same on {@code port}. */
    public GatewaySettings withPort(int port) {
        return new GatewaySettings(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads,
                streamChunkTokens, streamChunkInterval, contextWindows, http, accountLimits, operatorToken);
    }

    /** The same within {@code http}. */
    public GatewaySettings withHttpLimits(HttpLimits http) {
        return new GatewaySettings(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads,
                streamChunkTokens, streamChunkInterval, contextWindows, http, accountLimits, operatorToken);
    }

    /** The same, each account within {@code limits}. */
    public GatewaySettings withAccountLimits(AccountLimits limits) {
        return new GatewaySettings(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads,
                streamChunkTokens, streamChunkInterval, contextWindows, http, limits, operatorToken);
    }

    /** The same, /health's details for {@code token}. */
    public GatewaySettings withOperatorToken(String token) {
        return new GatewaySettings(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads,
                streamChunkTokens, streamChunkInterval, contextWindows, http, accountLimits, token);
    }

    /** Without the operator's token. */
    @Override
    public String toString() {
        return "GatewaySettings[" + host + ":" + port + ", node " + nodeId + ", models " + models + ", " + threads
                + " threads, " + http.describe() + ", " + accountLimits + (operatorToken == null ? "" : ", operator token set") + "]";
    }
}
