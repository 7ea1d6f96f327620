package dev.billing.ledger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/** State values for the serializer tests and the golden-bytes fixtures. */
public final class StateSamples {
    private StateSamples() {}

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    /** An account with every field of format 1 set, nothing at its default; auto top-up off. */
    public static AccountState full() {
        return full(false, false);
    }

    /** {@link #full()} with auto top-up on and a request outstanding (format 2 on). */
    public static AccountState fullWithAutoTopUp() {
        return full(true, false);
    }

    /** {@link #fullWithAutoTopUp()} with the position of the newest usage taken (format 3 on). */
    public static AccountState fullWithUsagePosition() {
        return full(true, true);
    }

    private static AccountState full(boolean autoTopUp, boolean usagePosition) {
        MonthSpend month = MonthSpend.zero();
        month.listUsd = d("-0.000000000000000001");
        month.chargedUsd = d("1E+3");
        UsageRollup open = UsageRollup.empty("deepseek-v3", 1_764_000_000_000L);
        open.add(120, 3_700, d("0.000955"), d("0.000955"));
        return new AccountState(
                new AccountMoney(d("5.00"), d("123456789012345678901234567890.123456789012345678"), 678, month,
                        d("25.000000"), 4),
                new AccountTerms(d("100.00"), new BigDecimal[] {d("10"), d("50.5"), d("99.999999")},
                        new BigDecimal[] {d("100")}, new BigDecimal[] {d("12.50")},
                        autoTopUp ? d("2.00") : null, autoTopUp ? d("10.000000") : null),
                new SentSignals(d("50.5"), 677, true, autoTopUp, autoTopUp ? 3 : 0),
                new Bookkeeping(1_764_000_000_123L, 3, 1_764_000_000_123_000L, -8_123_456_789L, 1_764_000_000_120L,
                        1_764_547_200_000L, 1_763_000_000_000L, 676, 1_763_500_000_000L, true,
                        usagePosition ? 3 : -1, usagePosition ? 9_876_543_210L : -1),
                new OpenRollups(new ArrayList<>(List.of(open, UsageRollup.empty("llama-3.1-8b", -3_600_000L)))));
    }

    /** A new account: its free credits, nothing spent. */
    public static AccountState opened() {
        return AccountState.opened(d("5.00"), 1);
    }

    /** {@link #full()} with the edge values a serializer must keep: null entries, nulls, extreme numbers. */
    public static AccountState withEdgeValues() {
        AccountState s = full();
        s.terms().setLimits(null, new BigDecimal[] {null, d("1")});
        s.terms().setVolumeDiscounts(s.terms().discountAboveUsd(), null);
        return new AccountState(s.money(), s.terms(), s.sent(),
                new Bookkeeping(Long.MIN_VALUE, 3, Long.MAX_VALUE, -8_123_456_789L, 1_764_000_000_120L,
                        1_764_547_200_000L, 1_763_000_000_000L, 676, 1_763_500_000_000L, true, Integer.MAX_VALUE,
                        Long.MAX_VALUE),
                s.openRollups());
    }

    public static MonthSpend monthSpend() {
        MonthSpend m = MonthSpend.zero();
        m.add(d("0.000000000000123456"), d("-98765432109876543210.5"));
        return m;
    }

    public static UsageRollup rollup() {
        UsageRollup r = UsageRollup.empty("llama-3.3-70b", 1_764_000_000_000L);
        r.add(Long.MAX_VALUE / 2, 3_800, d("0.000760000000000000"), d("0.000760"));
        return r;
    }
}
