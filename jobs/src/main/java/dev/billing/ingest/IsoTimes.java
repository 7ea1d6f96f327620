package dev.billing.ingest;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;

/**
 * The contract's times (ISO-8601 date-times with an offset, {@code OffsetDateTime.parse}'s grammar),
 * read fast in the form nearly every message uses: {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}. Any
 * other text goes to {@code OffsetDateTime.parse}, so what is accepted, and the instant it means,
 * are exactly the general parser's; the fast path only skips its formatter machinery, which was
 * most of the cost of reading a usage record.
 */
final class IsoTimes {
    private static final int[] SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

    private IsoTimes() {}

    /** The instant {@code text} means, as {@code OffsetDateTime.parse(text).toInstant()}. */
    static Instant parse(String text) {
        Instant fast = utc(text);
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ssZ} with an optional fraction of 1 to 9 digits, every field in its
     * range; null for anything else, valid or not, which the general parser then decides.
     */
    static Instant utc(String s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int nanos = 0;
        if (n > 20) {
            int fraction = n - 21;
            if (s.charAt(19) != '.' || fraction < 1) {
                return null;
            }
            int value = digits(s, 20, fraction);
            if (value < 0) {
                return null;
            }
            nanos = value * SCALE[fraction];
        }
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || day > Month.of(month).length(Year.isLeap(year))) {
            return null;
        }
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The ASCII digits at {@code from}, {@code count} of them, as a number; -1 if any is not one. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
