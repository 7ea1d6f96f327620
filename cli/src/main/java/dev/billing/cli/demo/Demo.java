package dev.billing.cli.demo;

import dev.billing.embedded.EmbeddedKafka;
import dev.billing.embedded.LocalPostgres;
import dev.billing.job.BillingJob;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.job.Migrations;
import dev.billing.model.Money;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.billing.gateway.billing.BillingApi;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.gateway.GatewayDoor;
import dev.billing.gateway.GatewayServer;
import dev.billing.gateway.GatewaySettings;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientConfig;
import dev.billing.gateway.client.PaymentRequiredBody;
import dev.billing.gateway.keys.PostgresKeyStore;
import dev.billing.gateway.payments.PaymentsSimulator;
import java.util.Properties;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;
import picocli.CommandLine;

/** Runs the demo: services, the job, simulated traffic, progress, summary. */
public final class Demo {
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private final Consumer<String> out;
    private final Duration duration;
    private final int accounts;
    private final int requestsPerSecond;
    private final int parallelism;
    private final long seed;
    private final String schema;
    private volatile boolean stopRequested;

    public Demo(Consumer<String> out, Duration duration, int accounts, int requestsPerSecond, int parallelism, long seed,
            String schema) {
        // everything the demo says may quote BILLING_JDBC_URL (LocalPostgres, the psql hint): hide its password
        this.out = line -> out.accept(JdbcUrls.redacted(line));
        this.duration = duration;
        this.accounts = accounts;
        this.requestsPerSecond = requestsPerSecond;
        this.parallelism = parallelism;
        this.seed = seed;
        this.schema = schema;
    }

    public int run() throws Exception {
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stopRequested = true;
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        Path tmp = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        Path work = Files.createTempDirectory(tmp, "billing-demo");
        try {
            return runIn(work);
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    private int runIn(Path work) throws Exception {
        out.accept("== Billing demo (seed " + seed + ")");
        out.accept("Starting a Kafka broker (KRaft, in-process) ...");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LocalPostgres postgres = LocalPostgres.locate(line -> out.accept(line))) {
            out.accept("Kafka: " + kafka.bootstrapServers());
            String jdbcUrl = postgres.freshSchema(schema);
            JobOptions options = new JobOptions();
            new CommandLine(options).parseArgs(
                    "--bootstrap-servers", kafka.bootstrapServers(),
                    "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user, "--jdbc-password", postgres.password,
                    "--checkpoint-dir", work.resolve("checkpoints").toUri().toString(),
                    "--checkpoint-interval", "2s", "--flush-interval", "1s",
                    "--parallelism", Integer.toString(parallelism));
            out.accept("Starting the billing job on a Flink mini-cluster (parallelism " + parallelism
                    + ", RocksDB, exactly-once checkpoints every 2s) ...");
            DatabaseOptions database = new DatabaseOptions(jdbcUrl, postgres.user, postgres.password);
            Migrations.apply(jdbcUrl, postgres.user, postgres.password);
            Map<String, String> keys = DemoKeys.create(database, InferenceSimulator.accountIds(accounts));
            JobClient job = BillingJob.start(options, JobConfiguration.of(options));
            try (PostgresKeyStore keyStore = PostgresKeyStore.pooled(database, PostgresKeyStore.DEFAULT_CACHE_TTL);
                    CutoffClient cutoffs = CutoffClient.start(CutoffClientConfig.builder(kafka.bootstrapServers())
                            .topic(options.statusTopic).build());
                    GatewayDoor door = GatewayDoor.open(new GatewayDoor.Settings(kafka.bootstrapServers(),
                            options.usageTopic, options.ratesTopic, new Properties(), database, options.freeCreditsUsd,
                            "demo-gateway", work.resolve("usage-journal"), 100_000), cutoffs::status);
                    BillingApi billing = BillingApi.start(BillingApi.Settings.defaults(kafka.bootstrapServers(), database)
                            .withTopics(options.eventsTopic, options.alertsTopic, options.paymentRequestsTopic), cutoffs::status);
                    GatewayServer gateway = GatewayServer.start(keyStore, cutoffs, door.usage(),
                            GatewaySettings.local("demo-gateway"), cutoffs::stats, billing, door.admission(),
                            new PaymentRequiredBody());
                    TopicWatcher watcher = new TopicWatcher(kafka.bootstrapServers(), options.statusTopic, options.dlqTopic);
                    InferenceSimulator sim = new InferenceSimulator(gateway.chatCompletionsUri(), kafka.bootstrapServers(),
                            options.usageTopic, options.eventsTopic, accounts, seed, keys);
                    PaymentsSimulator payments = PaymentsSimulator.start(kafka.bootstrapServers(), new Properties(),
                            "billing-demo-payments-" + UUID.randomUUID(), options.paymentRequestsTopic, options.eventsTopic);
                    PostgresView view = new PostgresView(jdbcUrl, postgres.user, postgres.password)) {
                cutoffs.awaitBootstrap(Duration.ofSeconds(60));
                out.accept("API key of acct-01 (one real key per demo account, in " + schema + ".api_keys): "
                        + keys.get("acct-01"));
                out.accept("Reference gateway on " + gateway.chatCompletionsUri() + " (try: curl -H 'Authorization: Bearer "
                        + keys.get("acct-01") + "' -d '{\"model\":\"llama-3.1-8b\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}' "
                        + gateway.chatCompletionsUri() + ")");
                out.accept("Billing page: " + gateway.billingPageUri() + " (open it and enter the key of acct-01 above)");
                out.accept("Auto top-up on for " + String.join(", ", sim.autoTopUpAccounts) + " (below $"
                        + InferenceSimulator.AUTO_TOP_UP_BELOW + ", buys $" + InferenceSimulator.AUTO_TOP_UP_AMOUNT
                        + "); a simulated payments service answers " + options.paymentRequestsTopic + " with CREDITS_PURCHASED");
                out.accept("Simulating " + accounts + " API clients at " + requestsPerSecond + " requests/s for " + duration
                        + " through the gateway (Ctrl-C stops earlier) ...");
                drive(sim, cutoffs, watcher, payments, view);
                sim.drain();
                out.accept("Traffic stopped; waiting for the job to bill the last records ...");
                drain(sim, view);
                summarize(sim, watcher, payments, view, postgres, jdbcUrl);
            } finally {
                // until the job has ended: its sinks abort their transactions before the broker stops
                job.cancel().get();
                job.getJobExecutionResult().handle((result, failure) -> null).get(1, TimeUnit.MINUTES);
            }
        }
        return 0;
    }

    private void drive(InferenceSimulator sim, CutoffClient cutoffs, TopicWatcher watcher, PaymentsSimulator payments,
            PostgresView view) throws Exception {
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long nextProgress = start + PROGRESS_EVERY.toNanos();
        long sent = 0;
        while (!stopRequested && System.nanoTime() < end) {
            long due = (System.nanoTime() - start) * requestsPerSecond / 1_000_000_000L;
            while (sent < due) {
                sim.request();
                sent++;
            }
            if (System.nanoTime() >= nextProgress) {
                progress(sim, cutoffs, watcher, payments, view, (System.nanoTime() - start) / 1_000_000_000L);
                nextProgress += PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(5); // pacing of the simulated traffic
        }
    }

    private void progress(InferenceSimulator sim, CutoffClient cutoffs, TopicWatcher watcher, PaymentsSimulator payments,
            PostgresView view, long seconds) throws Exception {
        PostgresView.Totals t = view.totals();
        out.accept(String.format("t=%3ds served %,6d  402s %,5d | billed %,6d requests $%s | blocked %d/%d"
                        + " | auto top-ups %d | rows: usage_hourly %d, account_balance %d | dead letters %d",
                seconds, sim.served.get(), sim.paymentRequired.get(), t.requests(), Money.format(t.billedUsd()),
                cutoffs.stats().blockedAccounts(), accounts, payments.requests.get(), t.rollupRows(), t.accounts(),
                watcher.deadLettersByReason().values().stream().mapToLong(Long::longValue).sum()));
    }

    /** Waits until every served request is in PostgreSQL: the job commits with its next checkpoint. */
    private void drain(InferenceSimulator sim, PostgresView view) throws Exception {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!settled(view.totals(), sim) && System.nanoTime() < deadline && !stopRequested) {
            Thread.sleep(200);
        }
    }

    /** Every served request is in the rollups, and the balance rows have caught up with them. */
    private static boolean settled(PostgresView.Totals t, InferenceSimulator sim) {
        return t.requests() >= sim.expectedBilled() && t.billedUsd().compareTo(t.spendUsd()) == 0;
    }

    private void summarize(InferenceSimulator sim, TopicWatcher watcher, PaymentsSimulator payments, PostgresView view,
            LocalPostgres postgres, String jdbcUrl) throws Exception {
        PostgresView.Totals t = view.totals();
        out.accept("");
        out.accept("== Summary");
        out.accept(String.format("Gateway: %,d requests served, %,d answered 402 Payment Required; top-ups %d. Flaky node:"
                + " %,d resends, %,d malformed records", sim.served.get(), sim.paymentRequired.get(), sim.topUps.get(),
                sim.resent.get(), sim.malformed.get()));
        out.accept(String.format("Billed in PostgreSQL: %,d requests, $%s in %d hourly rows%s", t.requests(),
                Money.format(t.billedUsd()), t.rollupRows(),
                t.requests() == sim.expectedBilled() ? " (every served request, once)" : " (still catching up)"));
        out.accept("Sum of usage_hourly.cost_usd = $" + Money.format(t.billedUsd()) + ", sum of account_balance.spend_usd = $"
                + Money.format(t.spendUsd()) + (t.billedUsd().compareTo(t.spendUsd()) == 0 ? "  (equal)" : "  (DIFFER)"));
        out.accept(String.format("Auto top-up: %d payment requests answered, $%s bought for %s", payments.requests.get(),
                Money.format(payments.chargedUsd.get()), String.join(", ", sim.autoTopUpAccounts)));
        out.accept("Cutoffs signalled on account-status: " + watcher.cutoffs() + "; dead letters by reason: "
                + watcher.deadLettersByReason());
        out.accept("");
        out.accept(String.format("%-10s %-8s %14s %14s %14s", "account", "status", "credits $", "spend $", "balance $"));
        for (PostgresView.AccountLine a : view.accounts()) {
            out.accept(String.format("%-10s %-8s %14s %14s %14s", a.account(), a.status(), money(a.credits()),
                    money(a.spend()), money(a.balance())));
        }
        out.accept("");
        out.accept("Look further (schema " + schema + "):");
        out.accept("  psql '" + psqlUrl(postgres) + "' -c 'SET search_path TO " + schema
                + "; SELECT * FROM monthly_statement ORDER BY account_id;'");
        out.accept("  ... SELECT * FROM revenue_by_model_daily;  SELECT * FROM usage_hourly ORDER BY hour, account_id;");
        if (!postgres.jdbcUrl.startsWith("jdbc:postgresql://127.0.0.1:5432") && System.getenv("BILLING_JDBC_URL") == null) {
            out.accept("  (the embedded PostgreSQL stops with the demo; set BILLING_JDBC_URL to keep the data)");
        }
    }

    private static String money(BigDecimal v) {
        return Money.format(v);
    }

    private static String psqlUrl(LocalPostgres postgres) {
        String url = postgres.jdbcUrl.replaceFirst("^jdbc:", "");
        return url.replaceFirst("^postgresql://", "postgresql://" + postgres.user + "@");
    }
}
