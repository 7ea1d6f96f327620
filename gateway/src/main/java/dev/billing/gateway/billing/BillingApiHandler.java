package dev.billing.gateway.billing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.client.AccountStatus;
import dev.billing.gateway.http.ApiError;
import dev.billing.gateway.http.Callers;
import dev.billing.gateway.http.Endpoint;
import dev.billing.gateway.http.HttpCall;
import dev.billing.gateway.http.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * {@code /v1/billing/*}: the customer's billing API (see billing-openapi.json). Every endpoint but
 * the OpenAPI document is behind the caller's key and concerns the key's account only. Money is a
 * decimal string both ways.
 */
public final class BillingApiHandler implements Endpoint {
    public static final String PATH = "/v1/billing/";
    public static final String OPENAPI = "billing/billing-openapi.json";
    private static final int MAX_BODY_BYTES = 16 << 10;
    private static final int MAX_THRESHOLDS = 20;
    private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(BillingApiHandler.class.getName());

    private final Authenticator keys;
    private final Function<String, AccountStatus> statuses;
    private final BillingDatabase database;
    private final AccountEventPublisher events;
    private final RecentAlerts alerts;
    private final RecentPurchases purchases;
    private final BigDecimal minimumPurchaseUsd;
    private final byte[] openApi;

    BillingApiHandler(Authenticator keys, Function<String, AccountStatus> statuses, BillingDatabase database,
            AccountEventPublisher events, RecentAlerts alerts, RecentPurchases purchases, BigDecimal minimumPurchaseUsd) {
        this.keys = keys;
        this.statuses = statuses;
        this.database = database;
        this.events = events;
        this.alerts = alerts;
        this.purchases = purchases;
        this.minimumPurchaseUsd = minimumPurchaseUsd;
        this.openApi = Resources.bytes(OPENAPI);
    }

    @Override
    public void serve(HttpCall exchange) {
        try {
            exchange.setHeader("Cache-Control", "no-store");
            route(exchange);
        } catch (ApiError e) {
            exchange.json(e.status, e.body());
        } catch (SQLException e) {
            // the cause (host, SQL state) is for the operator's log, not for the customer
            LOG.log(Level.WARNING, "billing API: PostgreSQL failed: " + e.getMessage());
            exchange.json(503, new ApiError(503, "service_unavailable", "billing_database_unavailable", null,
                    "The billing database is not answering; retry shortly.").body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void route(HttpCall exchange) throws IOException, ApiError, SQLException {
        String path = exchange.path();
        String endpoint = path.startsWith(PATH) ? path.substring(PATH.length()) : "";
        switch (endpoint) {
            case "openapi.json" -> {
                allow(exchange, "GET");
                exchange.json(200, openApi);
            }
            case "balance" -> {
                allow(exchange, "GET");
                balance(exchange, caller(exchange));
            }
            case "usage" -> {
                allow(exchange, "GET");
                usage(exchange, caller(exchange));
            }
            case "alerts" -> {
                allow(exchange, "GET");
                String account = caller(exchange);
                ObjectNode body = JSON.createObjectNode();
                ArrayNode data = body.putArray("data");
                alerts.of(account).forEach(data::add);
                reply(exchange, 200, body);
            }
            case "credits" -> {
                allow(exchange, "GET", "POST");
                if ("GET".equals(exchange.method())) {
                    recentPurchases(exchange, caller(exchange));
                } else {
                    buy(exchange, caller(exchange));
                }
            }
            case "limits" -> {
                allow(exchange, "PUT");
                limits(exchange, caller(exchange));
            }
            case "auto-topup" -> {
                allow(exchange, "PUT");
                autoTopUp(exchange, caller(exchange));
            }
            default -> throw new ApiError(404, "invalid_request_error", "unknown_url", null, "Unknown billing endpoint "
                    + path + "; see GET " + PATH + "openapi.json.");
        }
    }

    private void balance(HttpCall exchange, String account) throws IOException, ApiError, SQLException {
        AccountStatus status = statuses.apply(account);
        BalanceRow row = database.balance(account);
        ObjectNode body = BalanceView.of(account, status, row, Instant.now());
        if (body == null) {
            throw new ApiError(404, "invalid_request_error", "account_not_billed_yet", null, "The billing job has"
                    + " nothing on account " + account + " yet: it opens the account, with its free credits, at the"
                    + " account's first request or purchase. Retry after that.");
        }
        reply(exchange, 200, body);
    }

    private void usage(HttpCall exchange, String account) throws IOException, ApiError, SQLException {
        UsageQuery query = UsageQuery.of(queryParams(exchange), Instant.now());
        ObjectNode body = JSON.createObjectNode();
        body.put("account_id", account);
        body.put("from", query.from().toString());
        body.put("to", query.to().toString());
        body.put("granularity", query.granularity().field());
        ArrayNode data = body.putArray("data");
        for (BillingDatabase.UsageLine line : database.usage(account, query)) {
            data.addObject()
                    .put("period_start", BillingDatabase.utc(line.periodStartUtc()).toString())
                    .put("model", line.model())
                    .put("requests", line.requests())
                    .put("prompt_tokens", line.promptTokens())
                    .put("completion_tokens", line.completionTokens())
                    .put("list_cost_usd", Usd.format(line.listCostUsd()))
                    .put("discount_usd", Usd.format(line.listCostUsd().subtract(line.costUsd())))
                    .put("cost_usd", Usd.format(line.costUsd()));
        }
        reply(exchange, 200, body);
    }

    /**
     * A purchase: a payment request for the payments service, never credits. The payments service
     * charges it and sends the CREDITS_PURCHASED that credits the account; until then it is pending.
     */
    private void buy(HttpCall exchange, String account) throws IOException, ApiError {
        String idempotencyKey = exchange.header("Idempotency-Key");
        if (idempotencyKey == null || idempotencyKey.isBlank()) {
            throw ApiError.invalidRequest("Idempotency-Key", "Send an 'Idempotency-Key' header (a fresh random value per"
                    + " purchase, the same value when retrying it) so a retried purchase buys once.");
        }
        if (idempotencyKey.length() > MAX_IDEMPOTENCY_KEY_LENGTH || !idempotencyKey.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw ApiError.invalidRequest("Idempotency-Key", "The 'Idempotency-Key' header must be 1 to "
                    + MAX_IDEMPOTENCY_KEY_LENGTH + " printable ASCII characters without spaces, such as a UUID.");
        }
        ObjectNode request = object(exchange);
        BigDecimal amount = Usd.parse(request.get("amount_usd"), "amount_usd");
        if (amount.compareTo(minimumPurchaseUsd) < 0) {
            throw ApiError.invalidRequest("amount_usd", "The minimum credit purchase is $" + Usd.format(minimumPurchaseUsd)
                    + ". amount_usd " + Usd.format(amount) + " is below it: buy $" + Usd.format(minimumPurchaseUsd) + " or more.");
        }
        String requestId = PurchaseIds.requestId(account, idempotencyKey);
        RecentPurchases.Purchase known = purchases.find(account, requestId);
        if (known != null && known.amountUsd() != null && known.amountUsd().compareTo(amount) != 0) {
            throw new ApiError(409, "invalid_request_error", "idempotency_key_reused", "Idempotency-Key", "This"
                    + " Idempotency-Key was used for a purchase of $" + Usd.format(known.amountUsd()) + "; send a new key"
                    + " for a new purchase, or the same amount to retry that one.");
        }
        if (known == null) {
            // a retry of a request this gateway knows is not sent again (the payments service charges an id once
            // anyway); one whose send could not be confirmed (503) is
            Instant now = Instant.now();
            events.requestPayment(JSON.createObjectNode()
                    .put("request_id", requestId)
                    .put("account_id", account)
                    .put("source", RecentPurchases.PURCHASE)
                    .put("amount_usd", Usd.format(amount))
                    .put("occurred_at", now.toString()));
            purchases.requested(account, requestId, amount, now);
        }
        reply(exchange, 202, purchaseJson(account, purchases.find(account, requestId)));
    }

    private void recentPurchases(HttpCall exchange, String account) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("account_id", account);
        ArrayNode data = body.putArray("data");
        for (RecentPurchases.Purchase p : purchases.of(account)) {
            data.add(purchaseJson(account, p));
        }
        reply(exchange, 200, body);
    }

    private static ObjectNode purchaseJson(String account, RecentPurchases.Purchase p) {
        return JSON.createObjectNode()
                .put("request_id", p.requestId())
                .put("account_id", account)
                .put("source", p.source())
                .put("amount_usd", Usd.format(p.amountUsd()))
                .put("status", p.status())
                .put("requested_at", p.requestedAt() == null ? null : p.requestedAt().toString())
                .put("credited_at", p.creditedAt() == null ? null : p.creditedAt().toString());
    }

    private void limits(HttpCall exchange, String account) throws IOException, ApiError {
        ObjectNode request = object(exchange);
        for (var names = request.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("monthly_hard_limit_usd") && !name.equals("alert_thresholds_usd")) {
                throw ApiError.invalidRequest(name, "Unknown field '" + name
                        + "'; send monthly_hard_limit_usd and alert_thresholds_usd.");
            }
        }
        JsonNode limitNode = request.get("monthly_hard_limit_usd");
        BigDecimal limit = limitNode == null || limitNode.isNull() ? null : Usd.parse(limitNode, "monthly_hard_limit_usd");
        JsonNode thresholdsNode = request.get("alert_thresholds_usd");
        List<BigDecimal> thresholds = new ArrayList<>();
        if (thresholdsNode != null && !thresholdsNode.isNull()) {
            if (!thresholdsNode.isArray() || thresholdsNode.size() > MAX_THRESHOLDS) {
                throw ApiError.invalidRequest("alert_thresholds_usd", "'alert_thresholds_usd' must be an array of at most "
                        + MAX_THRESHOLDS + " decimal strings such as [\"50.00\", \"80.00\"], or null for none.");
            }
            for (JsonNode t : thresholdsNode) {
                thresholds.add(Usd.parse(t, "alert_thresholds_usd"));
            }
            thresholds.sort(null);
        }
        ObjectNode event = AccountEventPublisher.event("limits-" + UUID.randomUUID(), account, "LIMITS_SET", Instant.now());
        event.put("monthly_hard_limit_usd", limit == null ? null : limit.toPlainString());
        ArrayNode list = event.putArray("alert_thresholds_usd");
        thresholds.forEach(t -> list.add(t.toPlainString()));
        events.send(event);
        ObjectNode answer = JSON.createObjectNode()
                .put("event_id", event.get("event_id").asText())
                .put("account_id", account)
                .put("type", "LIMITS_SET")
                .put("monthly_hard_limit_usd", Usd.format(limit));
        ArrayNode answered = answer.putArray("alert_thresholds_usd");
        thresholds.forEach(t -> answered.add(Usd.format(t)));
        reply(exchange, 202, answer);
    }

    /** {@code {below_usd, amount_usd}} switches auto top-up on; both null, or {@code {"enabled": false}}, off. */
    private void autoTopUp(HttpCall exchange, String account) throws IOException, ApiError {
        ObjectNode request = object(exchange);
        JsonNode enabled = request.get("enabled");
        if (enabled != null && !enabled.isBoolean()) {
            throw ApiError.invalidRequest("enabled", "'enabled' must be true or false.");
        }
        JsonNode belowNode = request.get("below_usd");
        JsonNode amountNode = request.get("amount_usd");
        boolean off = (enabled != null && !enabled.booleanValue())
                || ((belowNode == null || belowNode.isNull()) && (amountNode == null || amountNode.isNull()));
        BigDecimal below = null;
        BigDecimal amount = null;
        if (!off) {
            below = Usd.parse(belowNode, "below_usd");
            amount = Usd.parse(amountNode, "amount_usd");
            if (amount.compareTo(minimumPurchaseUsd) < 0) {
                throw ApiError.invalidRequest("amount_usd", "The minimum credit purchase is $"
                        + Usd.format(minimumPurchaseUsd) + ". An auto top-up of " + Usd.format(amount) + " is below it.");
            }
        }
        ObjectNode event = AccountEventPublisher.event("auto-topup-" + UUID.randomUUID(), account, "AUTO_TOPUP_SET",
                Instant.now());
        event.put("below_usd", below == null ? null : below.toPlainString());
        event.put("amount_usd", amount == null ? null : amount.toPlainString());
        events.send(event);
        reply(exchange, 202, JSON.createObjectNode()
                .put("event_id", event.get("event_id").asText())
                .put("account_id", account)
                .put("type", "AUTO_TOPUP_SET")
                .put("enabled", !off)
                .put("below_usd", Usd.format(below))
                .put("amount_usd", Usd.format(amount)));
    }

    private String caller(HttpCall exchange) throws ApiError {
        return Callers.of(keys, exchange).accountId();
    }

    private static void allow(HttpCall exchange, String... allowed) throws ApiError {
        String method = exchange.method();
        if (!List.of(allowed).contains(method)) {
            exchange.setHeader("Allow", String.join(", ", allowed));
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null, method + " is not allowed on "
                    + exchange.path() + "; use " + String.join(" or ", allowed) + ".");
        }
    }

    private static ObjectNode object(HttpCall exchange) throws IOException, ApiError {
        byte[] body = exchange.body(MAX_BODY_BYTES);
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            // where it stopped, not the parser's words: those are the gateway's internals
            throw ApiError.invalidRequest(null, "The body is not valid JSON" + (e.getLocation() == null ? "."
                    : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")."));
        }
        if (!(json instanceof ObjectNode object)) {
            throw ApiError.invalidRequest(null, "The body must be a JSON object.");
        }
        return object;
    }

    private static Map<String, String> queryParams(HttpCall exchange) throws ApiError {
        Map<String, String> params = new LinkedHashMap<>();
        String query = exchange.rawQuery();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (params.put(name, value) != null) {
                throw ApiError.invalidRequest(name, "The parameter '" + name + "' is given twice.");
            }
        }
        return params;
    }

    private static void reply(HttpCall exchange, int status, ObjectNode body) throws IOException {
        exchange.json(status, JSON.writeValueAsBytes(body));
    }
}
