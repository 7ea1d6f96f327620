package dev.billing.ledger;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;

/** The per-account billing rules that operators may tune. */
public class LedgerSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Credits granted once, on the first valid input of an account. */
    public final BigDecimal freeCreditsUsd;
    /**
     * The billing window, in event time per account: an input whose time ({@code completed_at},
     * {@code occurred_at}) is more than this behind the account's newest is rejected as TOO_LATE,
     * and an id is remembered exactly as long as its input would still be accepted. One window for
     * both, so a resend is either dropped as a duplicate or dead-lettered, never billed twice.
     */
    public final Duration billingWindow;
    /** How often changed rollup and balance rows of an account are written out. */
    public final Duration flushInterval;
    /** A LOW_BALANCE alert fires when the balance falls below this fraction of the last top-up. */
    public final BigDecimal lowBalanceFraction;
    /**
     * Every version the ledger gives is above this: 0 normally; when the state is rebuilt from the
     * topics, the highest version already in PostgreSQL, so the rebuilt rows and statuses are not
     * taken for stale ones.
     */
    public final long versionFloor;
    /** A bundle closes at this many inputs (see {@link AccountLedger}). */
    public final int bundleSize;
    /** ... or this long after its first input: part of the cutoff latency. */
    public final Duration bundleTime;
    /**
     * The input arrives account by account and the state backend keeps only the current account
     * (a bounded replay in batch mode): apply inputs at once, flush each account when it ends.
     */
    public final boolean keyContiguous;
    /**
     * The inputs carry event-time watermarks, kept within this drift of each other across the topics
     * (see {@code InputOrder}): an input more than this ahead of the watermark waits in state until
     * the watermark is within it. Null: the inputs carry no watermarks; each is applied as it comes.
     */
    public final Duration inputDrift;

    public LedgerSettings(BigDecimal freeCreditsUsd, Duration billingWindow, Duration flushInterval,
            BigDecimal lowBalanceFraction) {
        this(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, 0L, DEFAULT_BUNDLE_SIZE,
                DEFAULT_BUNDLE_TIME, false, null);
    }

    public LedgerSettings(BigDecimal freeCreditsUsd, Duration billingWindow, Duration flushInterval,
            BigDecimal lowBalanceFraction, long versionFloor, int bundleSize, Duration bundleTime, boolean keyContiguous,
            Duration inputDrift) {
        this.freeCreditsUsd = freeCreditsUsd;
        this.billingWindow = billingWindow;
        this.flushInterval = flushInterval;
        this.lowBalanceFraction = lowBalanceFraction;
        this.versionFloor = versionFloor;
        this.bundleSize = bundleSize;
        this.bundleTime = bundleTime;
        this.keyContiguous = keyContiguous;
        this.inputDrift = inputDrift;
    }

    public static final int DEFAULT_BUNDLE_SIZE = 1_000;
    public static final Duration DEFAULT_BUNDLE_TIME = Duration.ofMillis(20);

    public LedgerSettings withVersionFloor(long floor) {
        return new LedgerSettings(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, floor, bundleSize,
                bundleTime, keyContiguous, inputDrift);
    }

    public LedgerSettings withBundles(int size, Duration time) {
        return new LedgerSettings(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, versionFloor, size,
                time, keyContiguous, inputDrift);
    }

    /** For a bounded replay in batch mode. */
    public LedgerSettings keyContiguous() {
        return new LedgerSettings(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, versionFloor,
                bundleSize, bundleTime, true, null);
    }

    /** For inputs that carry event-time watermarks within {@code drift} of each other. */
    public LedgerSettings withInputDrift(Duration drift) {
        return new LedgerSettings(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, versionFloor,
                bundleSize, bundleTime, keyContiguous, drift);
    }

    public static LedgerSettings defaults() {
        return new LedgerSettings(new BigDecimal("5.00"), Duration.ofDays(7), Duration.ofSeconds(1), new BigDecimal("0.10"));
    }
}
