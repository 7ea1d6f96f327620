package dev.billing.gateway;

import com.sun.net.httpserver.HttpServer;
import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.CutoffClientStats;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.client.admission.Admission;
import dev.billing.gateway.client.admission.InMemoryReservations;
import dev.billing.gateway.client.admission.RateCards;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The reference gateway's HTTP server (the JDK's {@code com.sun.net.httpserver}): OpenAI-style
 * {@code POST /v1/chat/completions} (plain or streamed), {@code GET /v1/models} and
 * {@code GET /health}, within the request limits of {@link HttpLimits}. It owns neither the cutoff check nor
 * the usage sink; whoever starts it closes them after it.
 */
public final class GatewayServer implements AutoCloseable {
    static {
        // read once, when the JDK's server configuration loads: set before the first server starts
        HttpLimits.applyDefaults(System.getProperties());
    }

    /** The billing job's default {@code --free-credits}: what an account it has published nothing for has. */
    public static final BigDecimal DEFAULT_FREE_CREDITS_USD = new BigDecimal("5.00");

    private final HttpServer server;
    private final ExecutorService executor;
    private final RunningExchanges exchanges;
    private final GatewayMetrics metrics = new GatewayMetrics();
    private final HealthHandler health;

    private GatewayServer(Authenticator keys, CutoffCheck cutoffs, UsageSink usage, GatewaySettings settings,
            Supplier<CutoffClientStats> cutoffStats, BillingApi billing, Admission admission,
            PaymentRequiredBody paymentRequired) throws IOException {
        server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 0);
        executor = Executors.newFixedThreadPool(settings.threads(), runnable -> {
            Thread t = new Thread(runnable, "gateway-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(exchanges = new RunningExchanges(executor));
        server.createContext(ChatCompletionsHandler.PATH,
                new ChatCompletionsHandler(keys, cutoffs, usage, admission, paymentRequired, settings, metrics));
        server.createContext(ModelsHandler.PATH, new ModelsHandler(keys, settings.models(), metrics));
        server.createContext(HealthHandler.PATH, health = new HealthHandler(cutoffStats, metrics, usage));
        if (billing != null) {
            billing.register(server, keys);
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
        gateway.server.start();
        return gateway;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The insecure demo scheme, {@code Bearer sk-<account_id>}: for demos and tests only. */
    public static Authenticator demoAccountKeys() {
        return new DemoAccountKeys();
    }

    /** {@code http://host:port/v1/chat/completions}. */
    public URI chatCompletionsUri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + ChatCompletionsHandler.PATH);
    }

    /** {@code http://host:port/v1}: the base URL an OpenAI client library is given. */
    public URI apiBaseUri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + "/v1");
    }

    /** {@code http://host:port/billing}, the billing page (when started with a {@link BillingApi}). */
    public URI billingPageUri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + BillingPageHandler.PATH);
    }

    public URI healthUri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + HealthHandler.PATH);
    }

    /** While {@code waitingFor} is not empty, {@code /health} answers 503 naming what the gateway waits for. */
    void reportStartup(Supplier<List<String>> waitingFor) {
        health.reportStartup(waitingFor);
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** Lets running exchanges finish for up to a second, stops, then stops the threads. */
    @Override
    public void close() throws InterruptedException {
        exchanges.awaitNone(Duration.ofSeconds(1));
        server.stop(0);
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }
}
