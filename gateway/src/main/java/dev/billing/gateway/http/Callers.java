package dev.billing.gateway.http;

import dev.billing.gateway.Authenticator;

/** The caller of a request behind a key, for every endpoint: 401 without a valid key, 503 when keys cannot be checked. */
public final class Callers {
    private Callers() {}

    public static Authenticator.Caller of(Authenticator keys, HttpCall call) throws ApiError {
        String authorization = call.header("Authorization");
        try {
            return keys.authenticate(authorization).orElseThrow(() -> new ApiError(401, "invalid_request_error",
                    "invalid_api_key", null, authorization == null
                            ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
                            : "Incorrect API key provided."));
        } catch (Authenticator.Unavailable e) {
            call.setHeader("Retry-After", "1");
            throw new ApiError(503, "server_error", "service_unavailable", null,
                    "API keys cannot be checked right now; retry in a moment.");
        }
    }
}
