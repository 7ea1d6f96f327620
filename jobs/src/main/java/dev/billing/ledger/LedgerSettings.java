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

    public LedgerSettings(BigDecimal freeCreditsUsd, Duration billingWindow, Duration flushInterval,
            BigDecimal lowBalanceFraction) {
        this(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, 0L);
    }

    public LedgerSettings(BigDecimal freeCreditsUsd, Duration billingWindow, Duration flushInterval,
            BigDecimal lowBalanceFraction, long versionFloor) {
        this.freeCreditsUsd = freeCreditsUsd;
        this.billingWindow = billingWindow;
        this.flushInterval = flushInterval;
        this.lowBalanceFraction = lowBalanceFraction;
        this.versionFloor = versionFloor;
    }

    public LedgerSettings withVersionFloor(long floor) {
        return new LedgerSettings(freeCreditsUsd, billingWindow, flushInterval, lowBalanceFraction, floor);
    }

    public static LedgerSettings defaults() {
        return new LedgerSettings(new BigDecimal("5.00"), Duration.ofDays(7), Duration.ofSeconds(1), new BigDecimal("0.10"));
    }
}
