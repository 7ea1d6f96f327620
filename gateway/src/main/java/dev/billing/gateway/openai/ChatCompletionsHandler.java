package dev.billing.gateway.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.client.admission.Admission;
import dev.billing.gateway.client.admission.ContextLengthExceeded;
import dev.billing.gateway.client.admission.InsufficientBalance;
import dev.billing.gateway.client.admission.ReservationsUnavailable;
import dev.billing.gateway.client.usage.UsageNotDurable;
import dev.billing.gateway.http.ApiError;
import dev.billing.gateway.http.Callers;
import dev.billing.gateway.http.Endpoint;
import dev.billing.gateway.http.HttpCall;
import dev.billing.gateway.limits.AccountLimiter;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code POST /v1/chat/completions}: authenticate the account, keep it within its concurrency and
 * rate limits (429), ask the cutoff check (402 when the
 * billing job blocked it), refuse (400) a request beyond its model's context window, hold the
 * request's worst case against the account's available balance (402 when it does not fit), let
 * the simulated node answer, make its usage durable, and only then complete the OpenAI-style
 * response, whole or streamed as server-sent events, with the {@code usage} object of the pricing
 * page. A request whose usage could not be made durable is refused (503) before it is served.
 */
public final class ChatCompletionsHandler implements Endpoint {
    public static final String PATH = "/v1/chat/completions";
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
    private final AccountLimiter limiter;
    private final OpenStreams streams;
    private final ScheduledExecutorService pacer;
    private final Executor threads;

    public ChatCompletionsHandler(Authenticator keys, CutoffCheck cutoffs, UsageSink usage, Admission admission,
            PaymentRequiredBody paymentRequired, GatewaySettings settings, GatewayMetrics metrics, AccountLimiter limiter,
            OpenStreams streams, ScheduledExecutorService pacer, Executor threads) {
        this.keys = keys;
        this.cutoffs = cutoffs;
        this.usage = usage;
        this.admission = admission;
        this.paymentRequired = paymentRequired;
        this.inference = new SimulatedInference(settings.defaultCompletionTokens());
        this.settings = settings;
        this.metrics = metrics;
        this.limiter = limiter;
        this.streams = streams;
        this.pacer = pacer;
        this.threads = threads;
    }

    @Override
    public void serve(HttpCall call) {
        try {
            serveOrRefuse(call);
        } catch (ApiError e) {
            if (e.status == 429) {
                metrics.rateLimited.incrementAndGet();
            } else {
                metrics.rejected.incrementAndGet();
            }
            if (e.status == 405) {
                call.setHeader("Allow", "POST");
            } else if (e.status == 503) {
                call.setHeader("Retry-After", "1");
            }
            call.json(e.status, e.body());
        }
    }

    private void serveOrRefuse(HttpCall call) throws ApiError {
        if (!"POST".equals(call.method())) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    call.method() + " is not allowed on " + PATH + "; use POST.");
        }
        Authenticator.Caller caller = Callers.of(keys, call);
        String account = caller.accountId();
        AccountLimiter.Outcome limit = limiter.acquire(account);
        limit.headers().forEach(call::setHeader);
        if (!limit.granted()) {
            call.setHeader("Retry-After", Long.toString(limit.retryAfterSeconds()));
            throw new ApiError(429, "requests", "rate_limit_exceeded", null, limit.refusal());
        }
        call.onEnd(limit.release());
        byte[] body = call.body(MAX_BODY_BYTES);

        Decision decision = cutoffs.check(account);
        if (!decision.allowed()) {
            refuse(call, decision);
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
        AccountLimiter.Outcome tokens = limiter.takeTokens(account, promptTokens + completionBound);
        tokens.headers().forEach(call::setHeader);
        if (!tokens.granted()) {
            if (tokens.retryAfterSeconds() > 0) {
                call.setHeader("Retry-After", Long.toString(tokens.retryAfterSeconds()));
            }
            throw new ApiError(429, "tokens", "rate_limit_exceeded", null, tokens.refusal());
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
            call.json(402, paymentRequired.renderInsufficient(e));
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
                // from here on the stream records the usage, or leaves the hold to expire
                recorded = true;
                stream(call, ticket, caller, request, completion);
                return;
            }
            UsageRecord record = usageRecord(requestId, caller, request, completion.promptTokens(),
                    completion.completionTokens());
            // durable before answering: a request answered 200 is always billed
            record(ticket, record);
            recorded = true;
            metrics.served.incrementAndGet();
            call.setHeader("X-Request-Id", record.requestId());
            call.json(200, response(record, completion));
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
     * Streams the completion chunk by chunk at the simulated generation pace (see
     * {@link StreamedCompletion}), then records its usage once: all of it, or when the client hung
     * up (or the server stopped) mid-stream, the prompt and the completion tokens sent until then.
     */
    private void stream(HttpCall call, Admission.Ticket ticket, Authenticator.Caller caller, ChatRequest request,
            SimulatedInference.Completion completion) {
        long created = Instant.now().getEpochSecond();
        CompletionStream events = new CompletionStream(ticket.requestId(), request.model(), created, request.includeUsage());
        call.setHeader("Cache-Control", "no-cache");
        call.setHeader("X-Request-Id", ticket.requestId());
        StreamedCompletion stream = new StreamedCompletion(call, events, completion, settings.streamChunkTokens(),
                settings.streamChunkInterval(), pacer, threads, new StreamedCompletion.Usage() {
                    @Override
                    public ObjectNode record(long completionTokens) {
                        UsageRecord record = usageRecord(ticket.requestId(), caller, request, completion.promptTokens(),
                                completionTokens);
                        try {
                            ChatCompletionsHandler.this.record(ticket, record);
                        } catch (ApiError e) {
                            return null;
                        }
                        metrics.served.incrementAndGet();
                        return record.usage();
                    }

                    @Override
                    public void cutShort() {
                        metrics.streamsCutShort.incrementAndGet();
                    }
                });
        streams.add(stream);
        call.onEnd(() -> streams.remove(stream));
        stream.start();
    }

    /** The one place a served request's usage record is made, plain or streamed. */
    private UsageRecord usageRecord(String requestId, Authenticator.Caller caller, ChatRequest request, long promptTokens,
            long completionTokens) {
        return new UsageRecord(requestId, caller.accountId(), request.model(), promptTokens, completionTokens,
                Instant.now(), settings.nodeId(), caller.keyId());
    }

    private void refuse(HttpCall call, Decision decision) {
        if (decision.paymentRequired()) {
            metrics.paymentRequired.incrementAndGet();
        } else {
            metrics.statusUnavailable.incrementAndGet();
            call.setHeader("Retry-After", "1");
        }
        call.json(decision.httpStatus(), decision.errorBody());
    }

    private static byte[] response(UsageRecord record, SimulatedInference.Completion completion) {
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
        try {
            return JSON.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
