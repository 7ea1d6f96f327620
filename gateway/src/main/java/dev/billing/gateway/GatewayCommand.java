package dev.billing.gateway;

import dev.billing.gateway.billing.BillingApi;
import dev.billing.gateway.billing.BillingApiHandler;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.client.FailurePolicy;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.client.admission.ContextWindows;
import dev.billing.gateway.client.admission.ReservationsUnavailable;
import dev.billing.gateway.http.HttpLimits;
import dev.billing.gateway.keys.PostgresKeyStore;
import dev.billing.gateway.limits.AccountLimits;
import dev.billing.gateway.payments.PaymentsSimulator;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bin/billing gateway}: the reference gateway on its own, against a Kafka cluster where the
 * billing job runs. Ctrl-C stops it after the usage records it has not delivered yet are sent.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the reference API gateway, which speaks the OpenAI API as client libraries use it:"
                + " POST /v1/chat/completions (plain, or \"stream\": true as server-sent events in the OpenAI chunk"
                + " format, with stream_options.include_usage a last chunk carrying usage) and GET /v1/models (the"
                + " models of --models, each of which must have a price on the billing job's rate card). Requests are"
                + " authenticated by 'Authorization: Bearer <key>' against the api_keys table in PostgreSQL"
                + " (bin/billing keys create), cut off by the billing job through the compacted account-status topic"
                + " (402 Payment Required), and the usage of every served request goes to usage-records, a streamed"
                + " one's too (when the client hangs up mid-stream: the tokens it was sent). A request beyond its model's"
                + " context window is answered 400 context_length_exceeded; one whose worst case (prompt plus max_tokens,"
                + " else the window's remainder, at the account's rate) the available balance does not cover, 402;"
                + " each is held against the balance in PostgreSQL across replicas, and its usage is written to the"
                + " usage journal on disk before the answer completes. Inference is simulated: about 4"
                + " characters of prompt per token, and max_tokens (else --default-completion-tokens) completion"
                + " tokens, streamed --stream-chunk-tokens per --stream-chunk-interval.",
            "GET /health answers 200 {\"status\":\"ok\"} while the gateway's copy of account-status is fresh, else 503"
                + " {\"status\":\"unavailable\"}; with 'Authorization: Bearer <--operator-token>' it adds the details"
                + " (what start-up waits for, the status topic's figures, the request counters).",
            "Started before the billing job, its database or its broker, it waits: it listens at once, answers /health"
                + " 503 and every request 503 with Retry-After, and says what it waits for, until the api_keys table"
                + " answers and account-status has been read (or --bootstrap-timeout passed).",
            "POST /v1/billing/credits never credits an account: it sends a payment request to --payment-requests-topic,"
                + " which the payments service charges and answers with CREDITS_PURCHASED on --events-topic."
                + " --simulated-payments runs an approve-everything payments service inside the gateway, for demos and"
                + " tests only.",
            "The customer's billing API (/v1/billing/balance, usage, credits, limits, auto-topup, alerts, openapi.json)"
                + " and the billing page (/billing) are served on the same port, behind the same keys.",
            "HTTP limits: a connection on which nothing moves for --idle-timeout is closed (a client trickling its"
                + " request, or one that stopped reading its answer: neither holds a handler thread meanwhile), at most"
                + " 64 headers of 32 KB in all and a 4 MB body. Each account has at most"
                + " --max-concurrent-requests-per-account chat completions in flight (a stream until its end) and"
                + " --requests-per-minute of them (bursts up to a minute's worth); beyond either it is answered 429"
                + " rate_limit_exceeded with Retry-After, and every answer carries the x-ratelimit-*-requests headers."})
public class GatewayCommand implements Callable<Integer> {
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port; 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--status-topic", defaultValue = CutoffClientConfig.DEFAULT_TOPIC,
            description = "Compacted topic of account statuses the billing job writes (default: ${DEFAULT-VALUE}).")
    String statusTopic;

    @Option(names = "--usage-topic", defaultValue = "usage-records",
            description = "Topic the usage of served requests goes to (default: ${DEFAULT-VALUE}).")
    String usageTopic;

    @Option(names = "--failure-policy", defaultValue = "FAIL_OPEN",
            description = "When account-status is unreachable or stale: FAIL_OPEN serves from the last known statuses"
                    + " (known cutoffs stay), FAIL_CLOSED answers 503 to every request (default: ${DEFAULT-VALUE}).")
    FailurePolicy failurePolicy;

    @Option(names = "--max-staleness", defaultValue = "10s", converter = DurationConverter.class,
            description = "Age beyond which the copy of account-status counts as stale (default: ${DEFAULT-VALUE}).")
    Duration maxStaleness;

    @Option(names = "--bootstrap-timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long to wait for the whole status topic before serving anyway, under the failure"
                    + " policy (default: ${DEFAULT-VALUE}).")
    Duration bootstrapTimeout;

    @Option(names = "--node-id", defaultValue = "gateway-1",
            description = "node_id of the usage records this gateway reports (default: ${DEFAULT-VALUE}).")
    String nodeId;

    @Option(names = "--models", split = ",", defaultValue = "qwen3.5-35b-a3b,llama-3.3-70b,deepseek-v3,llama-3.1-8b",
            description = "Model ids served and listed by GET /v1/models, comma separated; each must have a price on"
                    + " the billing job's rate card (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--default-model", defaultValue = "llama-3.3-70b",
            description = "Model of a request that names none (default: ${DEFAULT-VALUE}).")
    String defaultModel;

    @Option(names = "--default-completion-tokens", defaultValue = "128",
            description = "Completion tokens of a request without max_tokens (default: ${DEFAULT-VALUE}).")
    long defaultCompletionTokens;

    @Option(names = "--stream-chunk-tokens", defaultValue = "" + GatewaySettings.DEFAULT_STREAM_CHUNK_TOKENS,
            description = "Completion tokens per chunk of a streamed answer (default: ${DEFAULT-VALUE}).")
    int streamChunkTokens;

    @Option(names = "--stream-chunk-interval", defaultValue = "2ms", converter = DurationConverter.class,
            description = "Simulated generation time of one chunk of a streamed answer; 0ms streams as fast as the"
                    + " client reads (default: ${DEFAULT-VALUE}).")
    Duration streamChunkInterval;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property for the gateway's usage producer and status consumer, e.g."
                    + " security.protocol=SASL_SSL or ssl.truststore.location=/etc/kafka/truststore.jks (repeatable),"
                    + " as the billing job takes it; the billing API's Kafka clients get them too.")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--threads", defaultValue = "16", description = "HTTP handler threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--idle-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "A connection on which nothing moves, either way, for this long is closed: a client sending its"
                    + " request slowly, or not reading its answer or stream (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-concurrent-requests-per-account", defaultValue = "" + AccountLimits.DEFAULT_MAX_CONCURRENT_REQUESTS,
            description = "Chat completions one account may have in flight, a stream until its end; more are answered"
                    + " 429 (default: ${DEFAULT-VALUE}).")
    int maxConcurrentPerAccount;

    @Option(names = "--requests-per-minute", defaultValue = "" + AccountLimits.DEFAULT_REQUESTS_PER_MINUTE,
            description = "Chat completions one account may start per minute, in bursts of up to a minute's worth; more"
                    + " are answered 429 with Retry-After (default: ${DEFAULT-VALUE}).")
    int requestsPerMinute;

    @Option(names = "--tokens-per-minute", defaultValue = "0",
            description = "Worst-case tokens (prompt plus max_tokens, else the context window's remainder) one account may"
                    + " start per minute; more are answered 429 with Retry-After; 0 for no such limit (default: ${DEFAULT-VALUE}).")
    int tokensPerMinute;

    @Option(names = "--account-tokens-per-minute", paramLabel = "ACCOUNT=TPM",
            description = "A custom --tokens-per-minute for one account (repeatable).")
    Map<String, Integer> accountTokensPerMinute = new LinkedHashMap<>();

    @Option(names = "--account-rate-limit", paramLabel = "ACCOUNT=RPM",
            description = "A custom --requests-per-minute for one account (repeatable).")
    Map<String, Integer> accountRateLimits = new LinkedHashMap<>();

    @Option(names = "--account-max-concurrent-requests", paramLabel = "ACCOUNT=N",
            description = "A custom --max-concurrent-requests-per-account for one account (repeatable).")
    Map<String, Integer> accountConcurrency = new LinkedHashMap<>();

    @Option(names = "--operator-token", defaultValue = "${env:BILLING_OPERATOR_TOKEN}",
            description = "Bearer token that sees /health's details; without it /health says ready or not only (default:"
                    + " the BILLING_OPERATOR_TOKEN environment variable, else none).")
    String operatorToken;

    @Option(names = "--dashboard-url", defaultValue = PaymentRequiredBody.DEFAULT_DASHBOARD_URL,
            description = "Where 402 answers send users to add credits or raise their limit (default: ${DEFAULT-VALUE}).")
    String dashboardUrl;

    @Option(names = "--events-topic", defaultValue = "account-events",
            description = "Topic the billing API sends purchases, limits and auto top-up settings to (default: ${DEFAULT-VALUE}).")
    String eventsTopic;

    @Option(names = "--payment-requests-topic", defaultValue = "payment-requests",
            description = "Topic the billing API sends purchases to as payment requests, the one the billing job sends"
                    + " auto top-ups to and the payments service answers (default: ${DEFAULT-VALUE}).")
    String paymentRequestsTopic;

    @Option(names = "--simulated-payments",
            description = "FOR DEMOS AND TESTS ONLY: run a payments service inside the gateway that approves every"
                    + " payment request without charging anyone, so every purchase and auto top-up is credited free.")
    boolean simulatedPayments;

    @Option(names = "--alerts-topic", defaultValue = "billing-alerts",
            description = "Topic of the billing job's alerts, kept per account for GET /v1/billing/alerts (default: ${DEFAULT-VALUE}).")
    String alertsTopic;

    @Option(names = "--minimum-purchase", defaultValue = "5.00",
            description = "Smallest credit purchase or auto top-up the billing API accepts; keep it equal to the job's"
                    + " --minimum-purchase (default: ${DEFAULT-VALUE}).")
    BigDecimal minimumPurchaseUsd;

    @Option(names = "--rates-topic", defaultValue = "rate-cards",
            description = "Compacted topic of the billing job's rate cards, read to price each request's worst case at the"
                    + " account's rate (default: ${DEFAULT-VALUE}).")
    String ratesTopic;

    @Option(names = "--free-credits", defaultValue = "5.00",
            description = "What an account the billing job has published no balance for has; keep it equal to the job's"
                    + " --free-credits (default: ${DEFAULT-VALUE}).")
    BigDecimal freeCreditsUsd;

    @Option(names = "--context-window", defaultValue = "" + ContextWindows.DEFAULT_TOKENS,
            description = "Context window of every model, in tokens: a request whose prompt plus max_tokens (without"
                    + " max_tokens: plus at least one token) exceeds it is refused 400 context_length_exceeded"
                    + " (default: ${DEFAULT-VALUE}, the pricing page's 128K).")
    long contextWindow;

    @Option(names = "--model-context-window", paramLabel = "MODEL=TOKENS",
            description = "The context window of one model, over --context-window (repeatable).")
    Map<String, Long> modelContextWindows = new LinkedHashMap<>();

    @Option(names = "--usage-journal", defaultValue = "usage-journal",
            description = "Directory of this gateway's usage journal: each served request's usage is written and forced"
                    + " to disk here before the response completes, then delivered to Kafka; what a stopped or killed"
                    + " gateway left undelivered goes out at its next start. One directory per gateway, kept across"
                    + " restarts (default: ${DEFAULT-VALUE}).")
    Path usageJournal;

    @Option(names = "--max-undelivered-usage", defaultValue = "100000",
            description = "With this many usage records waiting for Kafka (an outage), new requests are answered 503"
                    + " with Retry-After instead of served (default: ${DEFAULT-VALUE}).")
    int maxUndeliveredUsage;

    @Mixin
    DatabaseOptions database = new DatabaseOptions();

    @Option(names = "--key-cache-ttl", defaultValue = "2s", converter = DurationConverter.class,
            description = "How long a key lookup is reused: a revoked key is refused, and a new one accepted, within"
                    + " this time (default: ${DEFAULT-VALUE}).")
    Duration keyCacheTtl;

    @Option(names = "--insecure-demo-account-keys",
            description = "INSECURE, for demos only: accept 'Bearer sk-<account_id>' as a key of that account instead"
                    + " of looking keys up, so anyone who knows or guesses an account id spends from it.")
    boolean insecureDemoAccountKeys;

    @Spec
    CommandSpec spec;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CompletableFuture<GatewayServer> started = new CompletableFuture<>();
    private final CompletableFuture<URI> listening = new CompletableFuture<>();

    @Override
    public Integer call() throws Exception {
        GatewaySettings settings;
        try {
            settings = new GatewaySettings(host, port, nodeId, defaultModel, models, defaultCompletionTokens, threads,
                    streamChunkTokens, streamChunkInterval, new ContextWindows(contextWindow, modelContextWindows))
                    .withHttpLimits(HttpLimits.DEFAULTS.withIdleTimeout(idleTimeout))
                    .withAccountLimits(new AccountLimits(maxConcurrentPerAccount, requestsPerMinute, accountConcurrency,
                            accountRateLimits, tokensPerMinute, accountTokensPerMinute))
                    .withOperatorToken(operatorToken);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (minimumPurchaseUsd.signum() < 0) {
            throw new ParameterException(spec.commandLine(), "--minimum-purchase must not be negative, not "
                    + minimumPurchaseUsd.toPlainString());
        }
        CutoffClientConfig config = CutoffClientConfig.builder(bootstrapServers)
                .topic(statusTopic)
                .failurePolicy(failurePolicy)
                .maxStaleness(maxStaleness)
                .paymentRequiredBody(new PaymentRequiredBody(dashboardUrl))
                .kafkaProperties(kafkaClientProperties())
                .build();
        if (insecureDemoAccountKeys) {
            say("WARNING: --insecure-demo-account-keys: 'Bearer sk-<account_id>' spends from that account. Anyone who"
                    + " knows or guesses an account id can spend its credits. Never use this outside a demo.");
        }
        if (simulatedPayments) {
            say("WARNING: --simulated-payments: every payment request on " + paymentRequestsTopic + " is approved"
                    + " without charging anyone, so every purchase and auto top-up is credited free. For demos and"
                    + " tests only.");
        } else {
            say("Purchases (POST /v1/billing/credits) go to " + paymentRequestsTopic + " and stay pending until the"
                    + " payments service charges them and sends CREDITS_PURCHASED to " + eventsTopic + ".");
        }
        Thread hook = new Thread(this::stopOnSignal, "gateway-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        BillingApi.Settings billingSettings = new BillingApi.Settings(bootstrapServers, eventsTopic, alertsTopic,
                paymentRequestsTopic, database, kafkaClientProperties(), minimumPurchaseUsd);
        try (PostgresKeyStore keyStore = insecureDemoAccountKeys ? null
                        : PostgresKeyStore.pooled(database, keyCacheTtl);
                CutoffClient cutoffs = CutoffClient.start(config);
                BillingApi billing = BillingApi.start(billingSettings, cutoffs::status);
                PaymentsSimulator payments = !simulatedPayments ? null : PaymentsSimulator.start(bootstrapServers,
                        kafkaClientProperties(), PaymentsSimulator.GATEWAY_GROUP, paymentRequestsTopic, eventsTopic)) {
            Startup startup = new Startup(keyStore, database.describe(),
                    keyStore != null ? keyStore : GatewayServer.demoAccountKeys(), cutoffs, statusTopic,
                    bootstrapTimeout, GatewayCommand::say);
            if (keyStore != null) {
                say("API keys: looked up in the api_keys table of " + database.describe() + " (cached for " + keyCacheTtl
                        + ").");
            }
            say("Reading " + statusTopic + " from " + bootstrapServers + " ...");
            GatewayDoor opened;
            GatewaySettings bound;
            // until the door opens (PostgreSQL's gateway_reservations table), a stand-in answers 503 on the port
            try (StartingServer starting = StartingServer.start(host, port, operatorToken,
                    () -> doorAnd(startup.waitingFor()))) {
                listening.complete(starting.baseUri());
                say("Listening on " + starting.baseUri() + "; /health answers 503 and requests 503 with Retry-After while"
                        + " it waits for: " + String.join("; ", doorAnd(startup.waitingFor())) + ".");
                opened = door(cutoffs);
                if (opened == null) {
                    say("Stopped before it was ready.");
                    return 0;
                }
                bound = settings.withPort(starting.port());
            }
            startup.awaitRates(ratesTopic, opened.ratesBootstrapped());
            try (GatewayDoor door = opened;
                    GatewayServer server = GatewayServer.start(startup, startup, door.usage(), bound, cutoffs::stats,
                            billing, door.admission(), new PaymentRequiredBody(dashboardUrl))) {
                server.reportStartup(startup::waitingFor);
                if (!startup.await(stopRequested)) {
                    say("Stopped before it was ready.");
                    return 0;
                }
                started.complete(server);
                say("Gateway listening on " + server.chatCompletionsUri() + " (" + failurePolicy + ", health: "
                        + server.healthUri() + "; OpenAI client libraries take the base URL " + server.apiBaseUri()
                        + "). Ctrl-C stops it.");
                say("HTTP limits: " + settings.http().describe() + ". Account limits: " + settings.accountLimits() + ".");
                say("Billing page: " + server.billingPageUri() + " (billing API: " + server.billingPageUri().resolve(
                        BillingApiHandler.PATH + "openapi.json") + ").");
                say("Try: " + (keyStore != null
                        ? "KEY=$(bin/billing keys create --jdbc-url '" + database.describe() + "' --account acct-01 | tail -1); "
                        : "KEY=sk-acct-01; ")
                        + "curl -s " + server.chatCompletionsUri() + " -H \"Authorization: Bearer $KEY\""
                        + " -H 'Content-Type: application/json'"
                        + " -d '{\"model\":\"" + defaultModel + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}'");
                say("Admission: a request is served when the account's balance covers its worst case (prompt plus"
                        + " max_tokens, else the context window's remainder; windows: " + settings.contextWindows() + "), held in the"
                        + " gateway_reservations table of " + database.describe() + " across replicas (this one: '"
                        + nodeId + "'). Usage journal: " + usageJournal.toAbsolutePath() + " (" + door.usage().replayedAtStart()
                        + " records from a previous run delivered again).");
                stopRequested.await();
                say("Stopping: " + server.metrics().served() + " requests served, " + server.metrics().paymentRequired()
                        + " answered 402; delivering the last usage records ...");
            }
        } finally {
            listening.completeExceptionally(new IllegalStateException("the gateway stopped"));
            started.completeExceptionally(new IllegalStateException("the gateway stopped"));
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook is running
            }
        }
        return 0;
    }

    /** --kafka-property entries as client properties. */
    Properties kafkaClientProperties() {
        Properties props = new Properties();
        props.putAll(kafkaProperties);
        return props;
    }

    /**
     * The door, once the holds of this gateway's previous run are reclaimed (waiting for PostgreSQL if need be);
     * null when stopped meanwhile.
     */
    private GatewayDoor door(CutoffClient cutoffs) throws Exception {
        GatewayDoor.Settings settings = new GatewayDoor.Settings(bootstrapServers, usageTopic, ratesTopic,
                kafkaClientProperties(), database, freeCreditsUsd, nodeId, usageJournal, maxUndeliveredUsage);
        long waitingSince = System.nanoTime();
        while (true) {
            try {
                return GatewayDoor.open(settings, cutoffs::status);
            } catch (ReservationsUnavailable e) {
                say("Waiting for PostgreSQL's gateway_reservations table (" + Duration.ofNanos(System.nanoTime()
                        - waitingSince).toSeconds() + " s; start the billing job, which applies the migrations): "
                        + e.getMessage());
                if (stopRequested.await(2, TimeUnit.SECONDS)) {
                    return null;
                }
            }
        }
    }

    /** What the gateway waits for while its door is not open: the reservations table, then what {@link Startup} waits for. */
    private List<String> doorAnd(List<String> waitingFor) {
        List<String> all = new java.util.ArrayList<>();
        all.add("the gateway_reservations table in " + database.describe());
        all.addAll(waitingFor);
        return all;
    }

    /** Completes with the running server once it is ready and serves. */
    CompletableFuture<GatewayServer> started() {
        return started;
    }

    /** Completes with the gateway's address ({@code http://host:port/}) once it listens, before it is ready (503 until then). */
    CompletableFuture<URI> listening() {
        return listening;
    }

    /** Makes {@link #call} close everything and return. */
    void stop() {
        stopRequested.countDown();
    }

    private void stopOnSignal() {
        stop();
        try {
            // let call() deliver the pending usage records before the JVM exits
            stopped.await(DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
