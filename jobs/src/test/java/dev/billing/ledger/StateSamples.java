package dev.billing.ledger;

import java.math.BigDecimal;

/** State values for the serializer tests and the golden-bytes fixtures. */
public final class StateSamples {
    private StateSamples() {}

    private static BigDecimal d(String s) {
        return new BigDecimal(s);
    }

    /** An account with every field set, nothing at its default. */
    public static AccountState full() {
        AccountState s = AccountState.opened(d("5.00"), 678);
        s.spendUsd = d("123456789012345678901234567890.123456789012345678");
        s.month.listUsd = d("-0.000000000000000001");
        s.month.chargedUsd = d("1E+3");
        s.newestMs = 1_764_000_000_123L;
        s.blockMask = 3;
        s.version = 1_764_000_000_123_000L;
        s.monthlyHardLimitUsd = d("100.00");
        s.alertThresholdsUsd = new BigDecimal[] {d("10"), d("50.5"), d("99.999999")};
        s.alertedUpToUsd = d("50.5");
        s.alertedMonth = 677;
        s.lastTopUpUsd = d("25.000000");
        s.topUps = 4;
        s.lowBalanceAlerted = true;
        s.discountAboveUsd = new BigDecimal[] {d("100")};
        s.discountPercent = new BigDecimal[] {d("12.50")};
        s.rolloverAtMs = 1_764_547_200_000L;
        UsageRollup open = UsageRollup.empty("deepseek-v3", 1_764_000_000_000L);
        open.add(120, 3_700, d("0.000955"), d("0.000955"));
        s.openRollups.add(open);
        s.openRollups.add(UsageRollup.empty("llama-3.1-8b", -3_600_000L));
        s.oldestRollupHourMs = 1_763_000_000_000L;
        s.oldestPastMonth = 676;
        s.versionRun = -8_123_456_789L;
        s.versionClockMs = 1_764_000_000_120L;
        s.statusBehind = true;
        s.oldestSeenMs = 1_763_500_000_000L;
        return s;
    }

    /** {@link #full()} with auto top-up on and a request outstanding (format 2 on). */
    public static AccountState fullWithAutoTopUp() {
        AccountState s = full();
        s.autoTopUpBelowUsd = d("2.00");
        s.autoTopUpAmountUsd = d("10.000000");
        s.autoTopUpRequested = true;
        s.autoTopUpRequests = 3;
        return s;
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
