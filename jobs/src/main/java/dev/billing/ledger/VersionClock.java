package dev.billing.ledger;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives an account's status messages and PostgreSQL rows their versions: per account they only
 * grow, also across failures and restores, so a gateway can drop stale statuses and an upsert can
 * refuse an older row (a zombie writer's).
 *
 * <p>Within one run (one start of the ledger's task) a version is {@code max(previous + 1, clock
 * in µs)}. What the failed run published after the last checkpoint is not in the restored state,
 * so the first version an account gets in a new run jumps {@link #RESTART_MARGIN} (times the
 * task's attempt number + 1, so that repeated failovers from one checkpoint jump further each
 * time) above both the restored version and the clock. That is above every version the failed run
 * gave unless it gave more than 600 million versions to one account since the checkpoint, or
 * this TaskManager's clock is more than the margin behind the one that ran the account before.
 * A state rebuilt from the topics starts above {@link LedgerSettings#versionFloor}. The second is detected: the state keeps the clock reading of its last version, a restore on a
 * clock behind it is counted ({@code versionClockBehind}) and logged.
 */
final class VersionClock {
    static final Duration RESTART_MARGIN = Duration.ofMinutes(10);
    private static final long MARGIN_US = RESTART_MARGIN.toMillis() * 1000;
    private static final Logger LOG = LoggerFactory.getLogger(VersionClock.class);

    /** Random per task start: an account whose {@link Bookkeeping#versionRun} differs was restored. */
    private final long run;
    private final int attempt;
    private final Counter clockBehind;
    private boolean warned;

    private final long floor;

    VersionClock(int attempt, long floor, Counter clockBehind) {
        this(ThreadLocalRandom.current().nextLong(), attempt, floor, clockBehind);
    }

    VersionClock(long run, int attempt, long floor, Counter clockBehind) {
        this.run = run == 0 ? 1 : run; // 0 is a new account's versionRun
        this.attempt = attempt;
        this.floor = floor;
        this.clockBehind = clockBehind;
    }

    /**
     * True when the account has had no version in this run: its status on the topic may be one the
     * failed run published after the checkpoint, so it must be published again.
     */
    boolean firstInRun(AccountState state) {
        return state.bookkeeping().versionRun() != run;
    }

    /** The account's next version, stored in its state. */
    long next(AccountState state, long nowMs) {
        Bookkeeping book = state.bookkeeping();
        long version;
        if (firstInRun(state)) {
            if (book.versionClockMs() > nowMs) {
                behind(book.versionClockMs() - nowMs);
            }
            version = Math.max(Math.max(book.version(), floor), nowMs * 1000) + MARGIN_US * (1L + attempt);
        } else {
            version = Math.max(book.version() + 1, nowMs * 1000);
        }
        book.versioned(version, run, nowMs);
        return version;
    }

    private void behind(long lagMs) {
        clockBehind.inc();
        if (!warned || lagMs > RESTART_MARGIN.toMillis()) {
            warned = true;
            LOG.warn("This TaskManager's clock is {} ms behind the one that last versioned a restored account{}", lagMs,
                    lagMs > RESTART_MARGIN.toMillis()
                            ? ": more than the restart margin of " + RESTART_MARGIN + ", so a status or row version may"
                                    + " repeat one published before the restore; fix the clocks (NTP)"
                            : "; within the restart margin of " + RESTART_MARGIN + ", versions stay ordered");
        }
    }
}
