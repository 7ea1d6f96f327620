package dev.billing.gateway;

import dev.billing.gateway.billing.BillingApi;
import dev.billing.gateway.billing.BillingPageHandler;
import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.CutoffClientStats;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.client.admission.Admission;
import dev.billing.gateway.client.admission.InMemoryReservations;
import dev.billing.gateway.client.admission.RateCards;
import dev.billing.gateway.http.GatewayHandler;
import dev.billing.gateway.http.HttpLimits;
import dev.billing.gateway.http.JettyServers;
import dev.billing.gateway.limits.AccountLimiter;
import dev.billing.gateway.limits.AccountLimits;
import dev.billing.gateway.openai.ChatCompletionsHandler;
import dev.billing.gateway.openai.GatewayMetrics;
import dev.billing.gateway.openai.ModelsHandler;
import dev.billing.gateway.openai.OpenStreams;
import dev.billing.gateway.openai.UsageSink;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;

/**
 * The reference gateway's HTTP server (Jetty): OpenAI-style {@code POST /v1/chat/completions}
 * (plain or streamed), {@code GET /v1/models} and {@code GET /health}, within the limits of
 * {@link HttpLimits} and each account's {@link AccountLimits}. Slow or stalled clients hold sockets
 * and buffers, not threads: headers and bodies are read on Jetty's selector, answers and streams
 * written asynchronously. It owns neither the cutoff check nor the usage sink; whoever starts it
 * closes them after it.
 */
public final class GatewayServer implements AutoCloseable {
    /** How long a stopping server waits for the requests in flight, then for the streams it cut to record their usage. */
    private static final Duration GRACE = Duration.ofSeconds(1);
    private static final Duration STREAMS_GRACE = Duration.ofSeconds(10);

    /** The billing job's default {@code --free-credits}: what an account it has published nothing for has. */
    public static final BigDecimal DEFAULT_FREE_CREDITS_USD = new BigDecimal("5.00");

    private final Server server;
    private final GatewayHandler routes;
    private final OpenStreams streams = new OpenStreams();
    private final ScheduledExecutorService pacer;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final HealthHandler health;
    private final String host;

    private GatewayServer(Authenticator keys, CutoffCheck cutoffs, UsageSink usage, GatewaySettings settings,
            Supplier<CutoffClientStats> cutoffStats, BillingApi billing, Admission admission,
            PaymentRequiredBody paymentRequired) {
        host = settings.host();
        pacer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "gateway-stream-pacer");
            t.setDaemon(true);
            return t;
        });
        server = JettyServers.create("gateway-http", settings.host(), settings.port(), settings.threads(), settings.http(), null);
        routes = new GatewayHandler(settings.http(), server.getThreadPool());
        server.setHandler(routes);
        routes.route(ChatCompletionsHandler.PATH, new ChatCompletionsHandler(keys, cutoffs, usage, admission,
                paymentRequired, settings, metrics, new AccountLimiter(settings.accountLimits()), streams, pacer,
                server.getThreadPool()));
        routes.route(ModelsHandler.PATH, new ModelsHandler(keys, settings.models(), metrics));
        routes.route(HealthHandler.PATH, health = new HealthHandler(cutoffStats, metrics, usage,
                new OperatorToken(settings.operatorToken())));
        if (billing != null) {
            billing.register(routes, keys);
        }
    }

    /**
     * Binds and starts serving.
     *
     * @param keys who a request's bearer key belongs to
     * @param cutoffStats the figures /health reports and judges by; null to report only the counters
     */
    public static GatewayServer start(Authenticator keys, CutoffCheck cutoffs, UsageSink usage,
            GatewaySettings settings, Supplier<CutoffClientStats> cutoffStats) throws IOException {
        return start(keys, cutoffs, usage, settings, cutoffStats, null);
    }

    /**
     * Binds and starts serving, with the customer's billing API and page ({@code /v1/billing/*},
     * {@code /billing}) behind the same keys, holding each request's worst case in memory: for
     * tests, and a gateway that is its accounts' only replica.
     *
     * @param billing the billing API, or null for none; the caller closes it after the server
     */
    public static GatewayServer start(Authenticator keys, CutoffCheck cutoffs, UsageSink usage,
            GatewaySettings settings, Supplier<CutoffClientStats> cutoffStats, BillingApi billing) throws IOException {
        Admission admission = new Admission(account -> cutoffs.check(account).status(), RateCards.listPrices(),
                new InMemoryReservations(), DEFAULT_FREE_CREDITS_USD, settings.nodeId(), Clock.systemUTC());
        return start(keys, cutoffs, usage, settings, cutoffStats, billing, admission, new PaymentRequiredBody());
    }

    /**
     * Binds and starts serving, admitting each request through {@code admission}.
     *
     * @param billing the billing API, or null for none; the caller closes it after the server
     * @param paymentRequired the 402 bodies' words and dashboard address
     */
    public static GatewayServer start(Authenticator keys, CutoffCheck cutoffs, UsageSink usage,
            GatewaySettings settings, Supplier<CutoffClientStats> cutoffStats, BillingApi billing, Admission admission,
            PaymentRequiredBody paymentRequired) throws IOException {
        GatewayServer gateway = new GatewayServer(keys, cutoffs, usage, settings, cutoffStats, billing, admission,
                paymentRequired);
        try {
            gateway.server.start();
        } catch (Exception e) {
            gateway.pacer.shutdownNow();
            try {
                gateway.server.stop();
            } catch (Exception stopping) {
                e.addSuppressed(stopping);
            }
            throw e instanceof IOException io ? io : new IOException("cannot start the gateway's HTTP server on "
                    + settings.host() + ":" + settings.port(), e);
        }
        return gateway;
    }

    public int port() {
        return JettyServers.port(server);
    }

    /** The insecure demo scheme, {@code Bearer sk-<account_id>}: for demos and tests only. */
    public static Authenticator demoAccountKeys() {
        return new DemoAccountKeys();
    }

    /** {@code http://host:port/v1/chat/completions}. */
    public URI chatCompletionsUri() {
        return URI.create("http://" + host + ":" + port() + ChatCompletionsHandler.PATH);
    }

    /** {@code http://host:port/v1}: the base URL an OpenAI client library is given. */
    public URI apiBaseUri() {
        return URI.create("http://" + host + ":" + port() + "/v1");
    }

    /** {@code http://host:port/billing}, the billing page (when started with a {@link BillingApi}). */
    public URI billingPageUri() {
        return URI.create("http://" + host + ":" + port() + BillingPageHandler.PATH);
    }

    public URI healthUri() {
        return URI.create("http://" + host + ":" + port() + HealthHandler.PATH);
    }

    /** While {@code waitingFor} is not empty, {@code /health} answers 503 naming what the gateway waits for. */
    void reportStartup(Supplier<List<String>> waitingFor) {
        health.reportStartup(waitingFor);
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /**
     * Lets the requests in flight finish for up to a second, cuts the streams still open (each then
     * records the usage of what it sent), and stops.
     */
    @Override
    public void close() throws InterruptedException {
        routes.awaitNone(GRACE);
        streams.abortAll(STREAMS_GRACE);
        try {
            server.stop();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the gateway's HTTP server did not stop cleanly", e);
        } finally {
            pacer.shutdownNow();
        }
    }
}
