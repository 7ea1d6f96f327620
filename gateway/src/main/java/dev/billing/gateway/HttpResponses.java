package dev.billing.gateway;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Reading bodies and writing JSON answers on an exchange. */
final class HttpResponses {
    private HttpResponses() {}

    static void json(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The request body, or a 413 error when it is longer than {@code limit} bytes. */
    static byte[] body(HttpExchange exchange, int limit) throws IOException, ApiError {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                throw new ApiError(413, "invalid_request_error", "request_too_large", null,
                        "The request body is larger than " + limit + " bytes.");
            }
            return body;
        }
    }
}
