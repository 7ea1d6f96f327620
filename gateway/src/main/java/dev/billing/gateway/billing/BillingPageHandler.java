package dev.billing.gateway.billing;

import dev.billing.gateway.http.ApiError;
import dev.billing.gateway.http.Endpoint;
import dev.billing.gateway.http.HttpCall;
import dev.billing.gateway.http.Resources;

/**
 * {@code GET /billing}: the customer's billing page, one HTML file and its script
 * ({@code /billing/page.js}), no CDN, that calls the billing API with the key the customer enters.
 * The page itself needs no key: it holds no account data. Its policy runs no inline script, loads
 * nothing from elsewhere, and lets no other site frame it.
 */
public final class BillingPageHandler implements Endpoint {
    public static final String PATH = "/billing";
    static final String SCRIPT_PATH = PATH + "/page.js";
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final byte[] page = Resources.bytes("billing/billing.html");
    private final byte[] script = Resources.bytes("billing/page.js");

    @Override
    public void serve(HttpCall call) {
        String path = call.path();
        boolean isPage = path.equals(PATH) || path.equals(PATH + "/");
        if (!isPage && !path.equals(SCRIPT_PATH)) {
            call.json(404, new ApiError(404, "invalid_request_error", "unknown_url", null,
                    "Unknown page " + path + "; the billing page is " + PATH + ".").body());
            return;
        }
        if (!"GET".equals(call.method()) && !"HEAD".equals(call.method())) {
            call.setHeader("Allow", "GET, HEAD");
            call.json(405, new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    call.method() + " is not allowed on " + path + "; use GET.").body());
            return;
        }
        call.setHeader("Cache-Control", "no-store");
        call.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        call.setHeader("X-Content-Type-Options", "nosniff");
        call.setHeader("X-Frame-Options", "DENY");
        if (isPage) {
            call.send(200, "text/html; charset=utf-8", page);
        } else {
            call.send(200, "text/javascript; charset=utf-8", script);
        }
    }
}
