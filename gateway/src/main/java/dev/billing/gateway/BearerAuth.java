package dev.billing.gateway;

import com.sun.net.httpserver.HttpExchange;

/** The caller of a request behind a key, or the OpenAI-shaped 401 every such endpoint answers. */
final class BearerAuth {
    private BearerAuth() {}

    static Authenticator.Caller require(Authenticator keys, HttpExchange exchange) throws ApiError {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        return keys.authenticate(authorization).orElseThrow(() -> new ApiError(401, "invalid_request_error",
                "invalid_api_key", null, authorization == null
                        ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
                        : "Incorrect API key provided."));
    }
}
