package dev.billing.gateway;

import java.util.List;

/**
 * How the reference gateway serves.
 *
 * @param host address to bind, 0.0.0.0 for all
 * @param port port to bind, 0 for any free one
 * @param nodeId the {@code node_id} of the usage records this gateway's simulated node reports
 * @param defaultModel the model of a request that names none
 * @param models the model ids served; others are answered 404 model_not_found
 * @param defaultCompletionTokens completion length of a request without {@code max_tokens}
 * @param threads request handler threads
 */
public record GatewaySettings(String host, int port, String nodeId, String defaultModel, List<String> models,
        long defaultCompletionTokens, int threads) {

    /** The models and ids of the pricing page. */
    public static final List<String> PRICING_PAGE_MODELS =
            List.of("qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b");

    public GatewaySettings {
        models = List.copyOf(models);
        if (!models.contains(defaultModel)) {
            throw new IllegalArgumentException("the default model " + defaultModel + " is not among " + models);
        }
        if (defaultCompletionTokens < 1 || threads < 1) {
            throw new IllegalArgumentException("default completion tokens and threads must be positive");
        }
    }

    /** Any free port on the loopback interface, the pricing page's models, 128 completion tokens. */
    public static GatewaySettings local(String nodeId) {
        return new GatewaySettings("127.0.0.1", 0, nodeId, "llama-3.3-70b", PRICING_PAGE_MODELS, 128, 8);
    }
}
