package dev.billing.gateway;

import dev.billing.gateway.client.CutoffCheck;
import dev.billing.gateway.client.CutoffClient;
import dev.billing.gateway.client.CutoffClientStats;
import dev.billing.gateway.client.Decision;
import dev.billing.gateway.keys.PostgresKeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What {@code bin/billing gateway} waits for before it serves, whatever was started first: its
 * {@code api_keys} table (the database may not answer yet, or have no table before the job or
 * {@code bin/billing keys create} applies the migrations), its copy of {@code account-status} and
 * its door's rate cards (each read to its end, or {@code --bootstrap-timeout} passed: then the
 * failure policy rules, and list prices at least). The gateway listens meanwhile: as the keys and
 * the cutoff check it serves, this answers every request 503 with {@code Retry-After} until all are
 * ready, and {@code /health} says what it waits for.
 */
final class Startup implements Authenticator, CutoffCheck {
    static final Duration RETRY = Duration.ofSeconds(1);
    static final Duration PROGRESS = Duration.ofSeconds(5);

    private final PostgresKeyStore keyStore;
    private final String database;
    private final Authenticator keys;
    private final CutoffClient cutoffs;
    private final String statusTopic;
    private final Duration bootstrapTimeout;
    private final Consumer<String> say;
    private final long startedAtNanos = System.nanoTime();
    private volatile boolean keysReady;
    private volatile boolean statusReady;
    private volatile boolean ratesReady = true;
    private String ratesTopic;
    private CompletableFuture<Void> ratesRead;
    private volatile String keysProblem = "not checked yet";

    /**
     * @param keyStore the key table to wait for, or null when keys need no database (the demo scheme)
     * @param keys who a request's key belongs to, once ready
     * @param say where progress goes (the gateway's stdout)
     */
    Startup(PostgresKeyStore keyStore, String database, Authenticator keys, CutoffClient cutoffs, String statusTopic,
            Duration bootstrapTimeout, Consumer<String> say) {
        this.keyStore = keyStore;
        this.database = database;
        this.keys = keys;
        this.cutoffs = cutoffs;
        this.statusTopic = statusTopic;
        this.bootstrapTimeout = bootstrapTimeout;
        this.say = say;
        this.keysReady = keyStore == null;
    }

    /** Waits for the rate cards too (read to their end, or --bootstrap-timeout passed); call before serving. */
    void awaitRates(String topic, CompletableFuture<Void> read) {
        ratesTopic = topic;
        ratesRead = read;
        ratesReady = read.isDone();
    }

    boolean ready() {
        return keysReady && statusReady && ratesReady;
    }

    /** What the gateway still waits for; empty once it serves. */
    List<String> waitingFor() {
        List<String> out = new ArrayList<>(2);
        if (!keysReady) {
            out.add("the api_keys table in " + database);
        }
        if (!statusReady) {
            out.add(statusTopic + " read to its end");
        }
        if (!ratesReady) {
            out.add(ratesTopic + " read to its end");
        }
        return out;
    }

    @Override
    public Optional<Caller> authenticate(String authorizationHeader) {
        if (!ready()) {
            throw new Unavailable("the gateway is starting: waiting for " + String.join(" and ", waitingFor()), null);
        }
        return keys.authenticate(authorizationHeader);
    }

    @Override
    public Decision check(String accountId) {
        return ready() ? cutoffs.check(accountId) : Decision.STATUS_UNAVAILABLE;
    }

    /**
     * Checks every {@link #RETRY} until ready, saying what it waits for every {@link #PROGRESS}.
     *
     * @return false when {@code stop} opened first
     */
    boolean await(CountDownLatch stop) throws InterruptedException {
        long nextProgress = System.nanoTime() + PROGRESS.toNanos();
        while (true) {
            if (!keysReady) {
                checkKeys();
            }
            if (!statusReady) {
                checkStatus();
            }
            if (!ratesReady) {
                checkRates();
            }
            if (ready()) {
                return true;
            }
            if (System.nanoTime() - nextProgress >= 0) {
                say.accept(progress());
                nextProgress = System.nanoTime() + PROGRESS.toNanos();
            }
            if (stop.await(RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
    }

    private void checkKeys() {
        try {
            keyStore.check();
            keysReady = true;
            say.accept("API keys: the api_keys table of " + database + " answers.");
        } catch (IllegalStateException e) {
            keysProblem = e.getMessage();
        }
    }

    private void checkStatus() {
        if (cutoffs.isBootstrapped()) {
            CutoffClientStats stats = cutoffs.stats();
            say.accept("Caught up with " + statusTopic + ": " + stats.accounts() + " accounts, " + stats.blockedAccounts()
                    + " blocked, in " + stats.bootstrapTime().toMillis() + " ms.");
            statusReady = true;
        } else if (waited().compareTo(bootstrapTimeout) >= 0) {
            say.accept("WARNING: not caught up with " + statusTopic + " after " + bootstrapTimeout + " ("
                    + cutoffs.stats().lastError() + "); serving under " + cutoffs.config().failurePolicy()
                    + " (accounts read as blocked stay blocked).");
            statusReady = true;
        }
    }

    private void checkRates() {
        if (ratesRead.isDone()) {
            say.accept("Caught up with " + ratesTopic + ".");
            ratesReady = true;
        } else if (waited().compareTo(bootstrapTimeout) >= 0) {
            say.accept("WARNING: not caught up with " + ratesTopic + " after " + bootstrapTimeout + "; serving with what"
                    + " was read (list prices at least).");
            ratesReady = true;
        }
    }

    private String progress() {
        StringBuilder line = new StringBuilder("Not ready after " + waited().toSeconds() + " s (/health answers 503,"
                + " requests 503 with Retry-After); waiting for");
        if (!keysReady) {
            line.append(" the api_keys table: ").append(keysProblem.replaceAll("\\.$", ""));
        }
        if (!statusReady) {
            CutoffClientStats stats = cutoffs.stats();
            line.append(keysReady ? " " : "; and ").append(statusTopic).append(": ").append(stats.accounts())
                    .append(" accounts read, ").append(stats.lag()).append(" messages behind")
                    .append(stats.lastError() == null ? "" : " (" + stats.lastError() + ")")
                    .append(", serving anyway under ").append(cutoffs.config().failurePolicy()).append(" in ")
                    .append(bootstrapTimeout.minus(waited()).toSeconds()).append(" s (--bootstrap-timeout)");
        }
        if (!ratesReady) {
            line.append(keysReady && statusReady ? " " : "; and ").append(ratesTopic).append(" (not read to its end yet)");
        }
        return line.append('.').toString();
    }

    private Duration waited() {
        return Duration.ofNanos(System.nanoTime() - startedAtNanos);
    }
}
