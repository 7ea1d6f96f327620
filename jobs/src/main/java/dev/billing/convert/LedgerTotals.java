package dev.billing.convert;

import java.math.BigDecimal;
import java.util.Iterator;

/**
 * What a ledger state adds up to: accounts, their credits and spend (exact), remembered ids, stored
 * and open hourly rollups, past months. The conversion adds up the release's state as it reads it
 * and the converted savepoint as this build reads it; the two must be equal. A Flink POJO of Flink's
 * own types.
 */
public class LedgerTotals {
    public long accounts;
    public BigDecimal creditsUsd = BigDecimal.ZERO;
    public BigDecimal spendUsd = BigDecimal.ZERO;
    public long ids;
    public long rollups;
    public long openRollups;
    public long pastMonths;

    public LedgerTotals() {}

    static LedgerTotals of(BigDecimal creditsUsd, BigDecimal spendUsd, long ids, long rollups, long openRollups,
            long pastMonths) {
        LedgerTotals t = new LedgerTotals();
        t.accounts = 1;
        t.creditsUsd = creditsUsd;
        t.spendUsd = spendUsd;
        t.ids = ids;
        t.rollups = rollups;
        t.openRollups = openRollups;
        t.pastMonths = pastMonths;
        return t;
    }

    static LedgerTotals sum(LedgerTotals a, LedgerTotals b) {
        LedgerTotals t = new LedgerTotals();
        t.accounts = a.accounts + b.accounts;
        t.creditsUsd = a.creditsUsd.add(b.creditsUsd);
        t.spendUsd = a.spendUsd.add(b.spendUsd);
        t.ids = a.ids + b.ids;
        t.rollups = a.rollups + b.rollups;
        t.openRollups = a.openRollups + b.openRollups;
        t.pastMonths = a.pastMonths + b.pastMonths;
        return t;
    }

    /** The sum of a rolling sum's updates is its last one; none is an empty state. */
    static LedgerTotals last(Iterator<LedgerTotals> rolling) {
        LedgerTotals last = new LedgerTotals();
        while (rolling.hasNext()) {
            last = rolling.next();
        }
        return last;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LedgerTotals t && accounts == t.accounts && creditsUsd.compareTo(t.creditsUsd) == 0
                && spendUsd.compareTo(t.spendUsd) == 0 && ids == t.ids && rollups == t.rollups
                && openRollups == t.openRollups && pastMonths == t.pastMonths;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(accounts);
    }

    @Override
    public String toString() {
        return accounts + " accounts, credits " + creditsUsd.toPlainString() + " USD, spend " + spendUsd.toPlainString()
                + " USD, " + ids + " remembered ids, " + rollups + " hourly rollups (" + openRollups + " not yet written), "
                + pastMonths + " past months";
    }
}
