package dev.billing.model;

import java.time.LocalDate;
import java.time.ZoneOffset;

/** Calendar months in UTC, as an int (year x 12 + month - 1) that orders and subtracts. */
public final class UtcMonths {
    private UtcMonths() {}

    public static int of(long epochMs) {
        LocalDate day = LocalDate.ofEpochDay(Math.floorDiv(epochMs, 86_400_000L));
        return day.getYear() * 12 + day.getMonthValue() - 1;
    }

    public static long startMs(int month) {
        return LocalDate.of(Math.floorDiv(month, 12), Math.floorMod(month, 12) + 1, 1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    /** YYYY-MM. */
    public static String format(int month) {
        return String.format("%04d-%02d", Math.floorDiv(month, 12), Math.floorMod(month, 12) + 1);
    }
}
