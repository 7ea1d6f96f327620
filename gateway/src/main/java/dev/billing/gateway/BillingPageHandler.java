package dev.billing.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code GET /billing}: the customer's billing page, one self-contained HTML file (its script and
 * styles inline, no CDN) that calls the billing API with the key the customer enters. The page
 * itself needs no key: it holds no account data.
 */
final class BillingPageHandler implements HttpHandler {
    static final String PATH = "/billing";
    private static final String PAGE = "billing/billing.html";

    private final byte[] page = Resources.bytes(PAGE);

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestURI().getPath().equals(PATH) && !exchange.getRequestURI().getPath().equals(PATH + "/")) {
                HttpResponses.json(exchange, 404, new ApiError(404, "invalid_request_error", "unknown_url", null,
                        "Unknown page " + exchange.getRequestURI().getPath() + "; the billing page is " + PATH + ".").body());
                return;
            }
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                HttpResponses.json(exchange, 405, new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                        exchange.getRequestMethod() + " is not allowed on " + PATH + "; use GET.").body());
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            // the page talks only to this origin; nothing inline may load from elsewhere
            exchange.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:");
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : page.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(page);
                }
            }
        } finally {
            exchange.close();
        }
    }
}
