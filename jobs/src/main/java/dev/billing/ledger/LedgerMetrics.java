package dev.billing.ledger;

import dev.billing.model.RejectReason;
import java.math.BigDecimal;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The ledger's metrics, for dashboards and alerting. Money here is a counter of whole micro-dollars
 * (rounded down per record), good for rates and graphs; PostgreSQL holds the exact amounts.
 */
final class LedgerMetrics {
    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000L);

    final Counter recordsBilled;
    final Counter billedMicroUsd;
    final Counter duplicatesDropped;
    final Counter cutoffs;
    final Counter restores;
    final Counter rollupRowsFlushed;
    final Counter balanceRowsFlushed;
    final Counter alertsRaised;
    final Counter topUpsRequested;
    /** Restored versions ahead of this TaskManager's clock plus the restart margin (see VersionClock). */
    final Counter versionClockBehind;
    /** Inputs that came more than the drift ahead of the watermark and waited for it (see AccountLedger). */
    final Counter inputsHeld;
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);

    LedgerMetrics(MetricGroup group) {
        recordsBilled = group.counter("recordsBilled");
        billedMicroUsd = group.counter("billedMicroUsd");
        duplicatesDropped = group.counter("duplicatesDropped");
        cutoffs = group.counter("cutoffs");
        restores = group.counter("restores");
        rollupRowsFlushed = group.counter("rollupRowsFlushed");
        balanceRowsFlushed = group.counter("balanceRowsFlushed");
        alertsRaised = group.counter("alertsRaised");
        topUpsRequested = group.counter("topUpsRequested");
        versionClockBehind = group.counter("versionClockBehind");
        inputsHeld = group.counter("inputsHeld");
        for (RejectReason reason : new RejectReason[] {RejectReason.UNKNOWN_MODEL, RejectReason.TOO_LATE,
                RejectReason.INVALID_AMOUNT, RejectReason.INVALID_FIELD}) {
            rejected.put(reason, group.addGroup("reason", reason.name()).counter("deadLetters"));
        }
    }

    void billed(BigDecimal chargedUsd) {
        recordsBilled.inc();
        billedMicroUsd.inc(chargedUsd.multiply(MICROS).longValue());
    }

    void rejected(RejectReason reason) {
        rejected.get(reason).inc();
    }

    void statusChanged(int maskBefore, int maskAfter) {
        if (maskBefore == 0 && maskAfter != 0) {
            cutoffs.inc();
        } else if (maskBefore != 0 && maskAfter == 0) {
            restores.inc();
        }
    }
}
