package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.Decision;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code POST /v1/chat/completions}: authenticate the account, ask the cutoff check (402 when the
 * billing job blocked it), let the simulated node answer, report the usage to the billing job,
 * and return the {@code usage} object of the pricing page in an OpenAI-style response.
 */
final class ChatCompletionsHandler implements HttpHandler {
    static final String PATH = "/v1/chat/completions";
    private static final int MAX_BODY_BYTES = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Authenticator keys;
    private final CutoffCheck cutoffs;
    private final UsageSink usage;
    private final SimulatedInference inference;
    private final GatewaySettings settings;
    private final GatewayMetrics metrics;

    ChatCompletionsHandler(Authenticator keys, CutoffCheck cutoffs, UsageSink usage, GatewaySettings settings,
            GatewayMetrics metrics) {
        this.keys = keys;
        this.cutoffs = cutoffs;
        this.usage = usage;
        this.inference = new SimulatedInference(settings.defaultCompletionTokens());
        this.settings = settings;
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            serve(exchange);
        } catch (ApiError e) {
            metrics.rejected.incrementAndGet();
            if (e.status == 405) {
                exchange.getResponseHeaders().set("Allow", "POST");
            }
            HttpResponses.json(exchange, e.status, e.body());
        } finally {
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange) throws IOException, ApiError {
        if (!"POST".equals(exchange.getRequestMethod())) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    exchange.getRequestMethod() + " is not allowed on " + PATH + "; use POST.");
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Authenticator.Caller caller = caller(exchange, authorization).orElseThrow(() -> new ApiError(401,
                "invalid_request_error", "invalid_api_key", null, authorization == null
                        ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
                        : "Incorrect API key provided."));
        String account = caller.accountId();
        byte[] body = HttpResponses.body(exchange, MAX_BODY_BYTES);

        Decision decision = cutoffs.check(account);
        if (!decision.allowed()) {
            refuse(exchange, decision);
            return;
        }
        ChatRequest request = ChatRequest.parse(body, settings.defaultModel());
        if (!settings.models().contains(request.model())) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model", "The model '"
                    + request.model() + "' does not exist. Available models: " + String.join(", ", settings.models()));
        }
        SimulatedInference.Completion completion = inference.complete(request);
        UsageRecord record = new UsageRecord("chatcmpl-" + UUID.randomUUID().toString().replace("-", ""), account,
                request.model(), completion.promptTokens(), completion.completionTokens(), Instant.now(),
                settings.nodeId(), caller.keyId());
        // reported before answering: a served request is always billed, even if the client hangs up
        usage.emit(record);
        metrics.served.incrementAndGet();
        exchange.getResponseHeaders().set("X-Request-Id", record.requestId());
        HttpResponses.json(exchange, 200, response(record, completion));
    }

    private Optional<Authenticator.Caller> caller(HttpExchange exchange, String authorization) throws ApiError {
        try {
            return keys.authenticate(authorization);
        } catch (Authenticator.Unavailable e) {
            exchange.getResponseHeaders().set("Retry-After", "1");
            throw new ApiError(503, "server_error", "service_unavailable", null,
                    "API keys cannot be checked right now; retry in a moment.");
        }
    }

    private void refuse(HttpExchange exchange, Decision decision) throws IOException {
        if (decision.paymentRequired()) {
            metrics.paymentRequired.incrementAndGet();
        } else {
            metrics.statusUnavailable.incrementAndGet();
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        HttpResponses.json(exchange, decision.httpStatus(), decision.errorBody());
    }

    private static byte[] response(UsageRecord record, SimulatedInference.Completion completion) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.put("id", record.requestId());
        json.put("object", "chat.completion");
        json.put("created", record.completedAt().getEpochSecond());
        json.put("model", record.model());
        ObjectNode choice = json.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", completion.content());
        choice.putNull("logprobs");
        choice.put("finish_reason", completion.finishReason());
        json.set("usage", record.usage());
        return JSON.writeValueAsBytes(json);
    }
}
