package dev.billing.gateway.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * A gateway's view of the billing job's cutoffs. It reads the compacted {@code account-status}
 * topic from the beginning (the current status of every account), then follows it, keeping the
 * newest version per account in memory; {@link #check} answers from there, without I/O, in tens
 * of nanoseconds.
 *
 * <pre>{@code
 * CutoffClient cutoffs = CutoffClient.start(CutoffClientConfig.builder("kafka:9092").build());
 * cutoffs.awaitBootstrap(Duration.ofSeconds(30));
 * Decision d = cutoffs.check(accountId);
 * if (!d.allowed()) {
 *     respond(d.httpStatus(), d.errorBody()); // 402 with the pricing page's message, or 503
 * }
 * }</pre>
 *
 * <p>How stale a decision can be is measured, not assumed: {@link #staleness()} is the time since
 * the client last proved (by comparing its positions with the broker's end offsets) that it had
 * applied every status published before then. The {@link FailurePolicy} decides what checks
 * answer once that exceeds the configured maximum.
 */
public final class CutoffClient implements CutoffCheck, AutoCloseable {
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final CutoffClientConfig config;
    private final StatusTable table;
    private final TopicFollower follower;
    private final Thread thread;
    private final long maxStalenessNanos;

    private CutoffClient(CutoffClientConfig config) {
        this.config = config;
        this.table = new StatusTable(config.paymentRequiredBody);
        this.follower = new TopicFollower(config, new HeldUnblocks(table));
        this.maxStalenessNanos = config.maxStaleness.toNanos();
        this.thread = new Thread(follower, "cutoff-client-" + config.topic);
        thread.setDaemon(true);
    }

    /** Connects and starts reading the status topic in a background thread. */
    public static CutoffClient start(CutoffClientConfig config) {
        CutoffClient client = new CutoffClient(config);
        client.thread.start();
        return client;
    }

    /** Serve, 402, or (fail-closed and stale) 503; from memory, safe from any thread. */
    @Override
    public Decision check(String accountId) {
        return config.failurePolicy.decide(table.check(accountId), isStale());
    }

    /** The newest known status of the account, or null when the job has published none. */
    public AccountStatus status(String accountId) {
        return table.status(accountId);
    }

    /** Completes once the whole topic has been read, and never fails. */
    public CompletableFuture<Void> bootstrapped() {
        return follower.bootstrapped().copy();
    }

    /** Waits until the whole topic has been read; false when it took longer than {@code timeout}. */
    public boolean awaitBootstrap(Duration timeout) throws InterruptedException {
        try {
            follower.bootstrapped().get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    public boolean isBootstrapped() {
        return follower.caughtUpOnce;
    }

    /** True before bootstrap, and when the copy was last confirmed complete longer ago than the maximum staleness. */
    public boolean isStale() {
        return !follower.caughtUpOnce || System.nanoTime() - follower.confirmedAtNanos > maxStalenessNanos;
    }

    /**
     * Time since the client last confirmed it had every status published up to then: no decision
     * is based on older information than this. Before bootstrap, the time since start.
     */
    public Duration staleness() {
        long since = follower.caughtUpOnce ? follower.confirmedAtNanos : follower.startedAtNanos();
        return Duration.ofNanos(Math.max(0, System.nanoTime() - since));
    }

    /** Status messages on the broker not applied yet, as of the client's last fetch or offsets request. */
    public long lag() {
        return follower.lag;
    }

    public CutoffClientConfig config() {
        return config;
    }

    public CutoffClientStats stats() {
        long bootstrapNanos = follower.bootstrapNanos;
        return new CutoffClientStats(isBootstrapped(), isStale(), staleness(), lag(), table.size(),
                table.blockedCount(), follower.updatesApplied, follower.staleUpdatesIgnored,
                follower.malformedMessages, bootstrapNanos < 0 ? null : Duration.ofNanos(bootstrapNanos),
                follower.lastError);
    }

    @Override
    public void close() throws InterruptedException {
        follower.stop();
        LockSupport.unpark(thread);
        thread.join(CLOSE_TIMEOUT.toMillis());
    }
}
