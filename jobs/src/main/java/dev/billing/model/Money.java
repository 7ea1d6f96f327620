package dev.billing.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * US dollars as exact decimals. Every amount on the wire is a decimal string; a binary float never
 * touches money. Amounts that people type (credits, limits, rates) carry at most six decimals;
 * list costs (tokens x a six-decimal rate per million) at most twelve; a volume discount of up to
 * two-decimal percent adds four more. The PostgreSQL money columns are {@code numeric(38,18)}.
 */
public final class Money {

    /** Decimals allowed in an amount or a rate given to the job (credits, limits, $/1M rates). */
    public static final int INPUT_SCALE = 6;
    /** Decimals a charged amount can have: tokens x rate / 1,000,000 x (100 - percent) / 100. */
    public static final int COST_SCALE = 18;

    public static final BigDecimal ZERO = BigDecimal.ZERO;
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,20}(\\.\\d{1,20})?");

    private Money() {}

    /**
     * Parses a decimal string such as {@code "5.00"} or {@code "-0.25"}.
     *
     * @throws IllegalArgumentException when the text is not a plain decimal or has more than
     *     {@link #INPUT_SCALE} decimals
     */
    public static BigDecimal parse(String text) {
        if (text == null || !DECIMAL.matcher(text).matches()) {
            throw new IllegalArgumentException("not a decimal string: '" + abbreviate(text) + "'");
        }
        BigDecimal value = new BigDecimal(text);
        if (value.stripTrailingZeros().scale() > INPUT_SCALE) {
            throw new IllegalArgumentException(
                    "more than " + INPUT_SCALE + " decimals: '" + abbreviate(text) + "'");
        }
        return value;
    }

    /** Cost of {@code tokens} at {@code usdPerMillion}, exact. */
    public static BigDecimal costOf(long tokens, BigDecimal usdPerMillion) {
        return usdPerMillion.multiply(BigDecimal.valueOf(tokens)).movePointLeft(6);
    }

    /** Plain decimal string with at least two decimals ("5.00", "0.000048"), never exponent form. */
    public static String format(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        int scale = Math.max(2, stripped.scale());
        return stripped.setScale(scale, RoundingMode.UNNECESSARY).toPlainString();
    }

    /** The value at the scale of the PostgreSQL money columns; never rounds. */
    public static BigDecimal toColumn(BigDecimal value) {
        return value.setScale(COST_SCALE, RoundingMode.UNNECESSARY);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "null";
        }
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
