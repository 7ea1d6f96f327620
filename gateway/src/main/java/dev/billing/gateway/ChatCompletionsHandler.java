package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.client.admission.Admission;
import dev.billing.gateway.client.admission.ContextLengthExceeded;
import dev.billing.gateway.client.admission.InsufficientBalance;
import dev.billing.gateway.client.admission.ReservationsUnavailable;
import dev.billing.gateway.client.usage.UsageNotDurable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.UUID;

/**
 * {@code POST /v1/chat/completions}: authenticate the account, ask the cutoff check (402 when the
 * billing job blocked it), refuse (400) a request beyond its model's context window, hold the
 * request's worst case against the account's available balance (402 when it does not fit), let
 * the simulated node answer, make its usage durable, and only then complete the OpenAI-style
 * response, whole or streamed as server-sent events, with the {@code usage} object of the pricing
 * page. A request whose usage could not be made durable is refused (503) before it is served.
 */
final class ChatCompletionsHandler implements HttpHandler {
    static final String PATH = "/v1/chat/completions";
    private static final int MAX_BODY_BYTES = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(ChatCompletionsHandler.class.getName());

    private final Authenticator keys;
    private final CutoffCheck cutoffs;
    private final UsageSink usage;
    private final Admission admission;
    private final PaymentRequiredBody paymentRequired;
    private final SimulatedInference inference;
    private final GatewaySettings settings;
    private final GatewayMetrics metrics;

    ChatCompletionsHandler(Authenticator keys, CutoffCheck cutoffs, UsageSink usage, Admission admission,
            PaymentRequiredBody paymentRequired, GatewaySettings settings, GatewayMetrics metrics) {
        this.keys = keys;
        this.cutoffs = cutoffs;
        this.usage = usage;
        this.admission = admission;
        this.paymentRequired = paymentRequired;
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
            } else if (e.status == 503) {
                exchange.getResponseHeaders().set("Retry-After", "1");
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
        long promptTokens = SimulatedInference.promptTokens(request.messageTexts());
        long completionBound;
        try {
            completionBound = settings.contextWindows().completionBound(request.model(), promptTokens, request.maxTokens());
        } catch (ContextLengthExceeded e) {
            throw new ApiError(400, "invalid_request_error", ContextLengthExceeded.CODE, e.param(), e.getMessage());
        }
        if (!usage.accepting()) {
            metrics.usageNotDurable.incrementAndGet();
            throw usageNotDurable();
        }
        String requestId = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        Admission.Ticket ticket;
        try {
            ticket = admission.admit(requestId, account, request.model(), promptTokens, completionBound);
        } catch (InsufficientBalance e) {
            metrics.paymentRequired.incrementAndGet();
            HttpResponses.json(exchange, 402, paymentRequired.renderInsufficient(e));
            return;
        } catch (ReservationsUnavailable e) {
            LOG.log(Level.WARNING, "request of " + account + " refused: " + e.getMessage());
            throw new ApiError(503, "service_unavailable", "billing_unavailable", null,
                    "Billing is temporarily unavailable; nothing was charged. Please retry shortly.");
        }
        boolean recorded = false;
        try {
            SimulatedInference.Completion completion = inference.complete(request, promptTokens, completionBound);
            if (request.stream()) {
                recorded = stream(exchange, ticket, caller, request, completion);
                return;
            }
            UsageRecord record = usageRecord(requestId, caller, request, completion.promptTokens(),
                    completion.completionTokens());
            // durable before answering: a request answered 200 is always billed
            record(ticket, record);
            recorded = true;
            metrics.served.incrementAndGet();
            exchange.getResponseHeaders().set("X-Request-Id", record.requestId());
            HttpResponses.json(exchange, 200, response(record, completion));
        } finally {
            if (!recorded) {
                release(ticket);
            }
        }
    }

    private void record(Admission.Ticket ticket, UsageRecord record) throws ApiError {
        try {
            usage.record(record, admission.cost(ticket, record.promptTokens(), record.completionTokens()));
        } catch (UsageNotDurable e) {
            metrics.usageNotDurable.incrementAndGet();
            LOG.log(Level.ERROR, "usage of " + record.requestId() + " could not be made durable: " + e.getMessage());
            throw usageNotDurable();
        }
    }

    private static ApiError usageNotDurable() {
        return new ApiError(503, "service_unavailable", "usage_not_durable", null,
                "The request cannot be served right now because its usage cannot be recorded; nothing was charged."
                        + " Please retry shortly.");
    }

    private void release(Admission.Ticket ticket) {
        try {
            admission.release(ticket);
        } catch (ReservationsUnavailable e) {
            // the hold expires on its own; until then the account can spend less, never more
            LOG.log(Level.WARNING, "could not release the hold of " + ticket.requestId() + ": " + e.getMessage());
        }
    }

    /**
     * Streams the completion chunk by chunk at the simulated generation pace, then records its usage
     * once: all of it, or when the client hung up (or the server stopped) mid-stream, the prompt and
     * the completion tokens sent until then; the finish, the usage chunk and {@code [DONE]} follow
     * only once the usage is durable. True when the usage was recorded (the hold then follows it).
     */
    private boolean stream(HttpExchange exchange, Admission.Ticket ticket, Authenticator.Caller caller,
            ChatRequest request, SimulatedInference.Completion completion) throws IOException {
        long created = Instant.now().getEpochSecond();
        CompletionStream out = new CompletionStream(exchange, ticket.requestId(), request.model(), created,
                request.includeUsage());
        long sent = 0;
        boolean complete = false;
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
        }
        UsageRecord record = usageRecord(ticket.requestId(), caller, request, completion.promptTokens(), sent);
        try {
            record(ticket, record);
        } catch (ApiError e) {
            // the content went out and its usage is not durable: the hold stays (it expires), the
            // stream ends without its finish so the client sees it cut short; operators see the log
            metrics.streamsCutShort.incrementAndGet();
            return true;
        }
        metrics.served.incrementAndGet();
        if (complete) {
            try {
                out.finish(completion.finishReason(), record.usage());
                return true;
            } catch (IOException e) {
                // hung up after the content, billed in full
            }
        }
        metrics.streamsCutShort.incrementAndGet();
        return true;
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
