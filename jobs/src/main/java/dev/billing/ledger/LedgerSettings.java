package dev.billing.ledger;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;

/** The per-account billing rules that operators may tune. */
public class LedgerSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Credits granted once, on the first valid input of an account. */
    public final BigDecimal freeCreditsUsd;
    /** How long a request_id (and an event_id) is remembered to drop resends. */
    public final Duration dedupeRetention;
    /** How far behind an account's newest record a record may be and still be billed. */
    public final Duration lateHorizon;
    /** How often changed rollup and balance rows of an account are written out. */
    public final Duration flushInterval;
    /** A LOW_BALANCE alert fires when the balance falls below this fraction of the last top-up. */
    public final BigDecimal lowBalanceFraction;

    public LedgerSettings(BigDecimal freeCreditsUsd, Duration dedupeRetention, Duration lateHorizon,
            Duration flushInterval, BigDecimal lowBalanceFraction) {
        this.freeCreditsUsd = freeCreditsUsd;
        this.dedupeRetention = dedupeRetention;
        this.lateHorizon = lateHorizon;
        this.flushInterval = flushInterval;
        this.lowBalanceFraction = lowBalanceFraction;
    }

    public static LedgerSettings defaults() {
        return new LedgerSettings(new BigDecimal("5.00"), Duration.ofHours(24), Duration.ofDays(7), Duration.ofSeconds(1),
                new BigDecimal("0.10"));
    }
}
