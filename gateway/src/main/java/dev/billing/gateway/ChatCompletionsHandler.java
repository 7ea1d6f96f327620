package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.Decision;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code POST /v1/chat/completions}: authenticate the account, ask the cutoff check (402 when the
 * billing job blocked it), refuse (400) what the billing job could not bill, let the simulated
 * node answer, report the usage to the billing job, and return the {@code usage} object of the
 * pricing page in an OpenAI-style response, whole or streamed as server-sent events.
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
        Authenticator.Caller caller = Callers.of(keys, exchange);
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
        String requestId = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        if (request.stream()) {
            stream(exchange, requestId, caller, request, completion);
            return;
        }
        UsageRecord record = usageRecord(requestId, caller, request, completion.promptTokens(),
                completion.completionTokens());
        // reported before answering: a served request is always billed, even if the client hangs up
        usage.emit(record);
        metrics.served.incrementAndGet();
        exchange.getResponseHeaders().set("X-Request-Id", record.requestId());
        HttpResponses.json(exchange, 200, response(record, completion));
    }

    /**
     * Streams the completion chunk by chunk at the simulated generation pace, then reports its usage
     * once: all of it, or when the client hung up (or the server stopped) mid-stream, the prompt and
     * the completion tokens sent until then. The usage leaves before the last chunks, so a client
     * that hangs up after the content is billed the same.
     */
    private void stream(HttpExchange exchange, String requestId, Authenticator.Caller caller, ChatRequest request,
            SimulatedInference.Completion completion) throws IOException {
        long created = Instant.now().getEpochSecond();
        CompletionStream out = new CompletionStream(exchange, requestId, request.model(), created, request.includeUsage());
        long sent = 0;
        boolean complete = false;
        UsageRecord record;
        try {
            out.start();
            while (sent < completion.completionTokens()) {
                generate();
                int tokens = (int) Math.min(settings.streamChunkTokens(), completion.completionTokens() - sent);
                out.content(SimulatedInference.tokenText(sent, tokens));
                sent += tokens;
            }
            complete = true;
        } catch (IOException e) {
            // the client hung up: billed below for what it was sent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server stops: billed below for what was sent
        } finally {
            record = usageRecord(requestId, caller, request, completion.promptTokens(), sent);
            usage.emit(record);
            metrics.served.incrementAndGet();
        }
        if (complete) {
            try {
                out.finish(completion.finishReason(), record.usage());
                return;
            } catch (IOException e) {
                // hung up after the content, billed in full
            }
        }
        metrics.streamsCutShort.incrementAndGet();
    }

    /** The one place a served request's usage record is made, plain or streamed. */
    private UsageRecord usageRecord(String requestId, Authenticator.Caller caller, ChatRequest request, long promptTokens,
            long completionTokens) {
        return new UsageRecord(requestId, caller.accountId(), request.model(), promptTokens, completionTokens,
                Instant.now(), settings.nodeId(), caller.keyId());
    }

    /** The simulated time a node takes to generate one chunk. */
    private void generate() throws InterruptedException {
        if (!settings.streamChunkInterval().isZero()) {
            Thread.sleep(settings.streamChunkInterval().toMillis(), settings.streamChunkInterval().toNanosPart() % 1_000_000);
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
        choice.putObject("message").put("role", "assistant").put("content", completion.content()).putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", completion.finishReason());
        json.set("usage", record.usage());
        return JSON.writeValueAsBytes(json);
    }
}
