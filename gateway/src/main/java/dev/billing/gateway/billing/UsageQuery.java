package dev.billing.gateway.billing;

import dev.billing.gateway.http.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of {@code GET /v1/billing/usage}, validated: {@code from} (inclusive) and
 * {@code to} (exclusive) as ISO-8601 instants or UTC dates, {@code granularity} hour, day or
 * month. The range is bounded per granularity so that one request reads a bounded number of rows.
 */
record UsageQuery(Instant from, Instant to, Granularity granularity) {
    /** Without {@code from}: this far before {@code to}. */
    static final Duration DEFAULT_RANGE = Duration.ofDays(30);

    enum Granularity {
        HOUR(Duration.ofDays(31)),
        DAY(Duration.ofDays(366)),
        MONTH(Duration.ofDays(3_660));

        final Duration maxRange;

        Granularity(Duration maxRange) {
            this.maxRange = maxRange;
        }

        /** The PostgreSQL {@code date_trunc} field. */
        String field() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param params the query string's parameters
     * @param now {@code to} when the query names none
     * @throws ApiError 400 that says which parameter is wrong and what it must be
     */
    static UsageQuery of(Map<String, String> params, Instant now) throws ApiError {
        for (String name : params.keySet()) {
            if (!name.equals("from") && !name.equals("to") && !name.equals("granularity")) {
                throw ApiError.invalidRequest(name, "Unknown parameter '" + name + "'; use from, to and granularity.");
            }
        }
        Granularity granularity = granularity(params.get("granularity"));
        Instant to = params.containsKey("to") ? instant(params.get("to"), "to") : now;
        Instant from = params.containsKey("from") ? instant(params.get("from"), "from") : to.minus(DEFAULT_RANGE);
        if (!from.isBefore(to)) {
            throw ApiError.invalidRequest("from", "'from' (" + from + ") must be before 'to' (" + to + ").");
        }
        if (Duration.between(from, to).compareTo(granularity.maxRange) > 0) {
            throw ApiError.invalidRequest("to", "The range from " + from + " to " + to + " is longer than "
                    + granularity.maxRange.toDays() + " days, the most granularity=" + granularity.field()
                    + " allows; ask for a shorter range or a coarser granularity.");
        }
        return new UsageQuery(from, to, granularity);
    }

    private static Granularity granularity(String value) throws ApiError {
        if (value == null) {
            return Granularity.DAY;
        }
        for (Granularity g : Granularity.values()) {
            if (g.field().equals(value)) {
                return g;
            }
        }
        throw ApiError.invalidRequest("granularity", "'granularity' must be hour, day or month, not '" + abbreviate(value) + "'.");
    }

    /** 2026-03-01T00:00:00Z, or 2026-03-01 for the start of that UTC day. */
    private static Instant instant(String value, String name) throws ApiError {
        try {
            return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                    : Instant.parse(value).truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw ApiError.invalidRequest(name, "'" + name + "' must be an ISO-8601 instant such as 2026-03-01T00:00:00Z"
                    + " or a UTC date such as 2026-03-01, not '" + abbreviate(value) + "'.");
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
