package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.gateway.http.ApiError;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * US dollars as the billing API reads and writes them: decimal strings, never JSON numbers. What it
 * accepts is what the billing job accepts (schemas/account-event.schema.json, {@code usd_non_negative}):
 * at most six decimals and at most $1,000,000,000, so an event the API sends is never dead-lettered
 * for its amount.
 */
final class Usd {
    private static final Pattern NON_NEGATIVE = Pattern.compile("\\d{1,20}(\\.\\d{1,6}0{0,14})?");
    private static final BigDecimal MAX = new BigDecimal("1000000000");

    private Usd() {}

    /**
     * A non-negative amount from a request field.
     *
     * @throws ApiError 400 naming the field and what it must look like
     */
    static BigDecimal parse(JsonNode value, String field) throws ApiError {
        if (value == null || !value.isTextual()) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be a decimal string of US dollars such as \"10.00\""
                    + (value != null && value.isNumber() ? ", not a JSON number (money is never a binary float)." : "."));
        }
        String text = value.asText();
        if (!NON_NEGATIVE.matcher(text).matches()) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be a non-negative decimal string of US dollars with at"
                    + " most 6 decimals, such as \"10.00\"; got \"" + abbreviate(text) + "\".");
        }
        BigDecimal usd = new BigDecimal(text);
        if (usd.compareTo(MAX) > 0) {
            throw ApiError.invalidRequest(field, "'" + field + "' may be at most " + MAX.toPlainString() + " US dollars.");
        }
        return usd;
    }

    /** As the API answers: plain, trailing zeros dropped, at least two decimals ("5.00", "0.000048"). */
    static String format(BigDecimal usd) {
        if (usd == null) {
            return null;
        }
        BigDecimal stripped = usd.stripTrailingZeros();
        return (stripped.scale() < 2 ? stripped.setScale(2) : stripped).toPlainString();
    }

    private static String abbreviate(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
