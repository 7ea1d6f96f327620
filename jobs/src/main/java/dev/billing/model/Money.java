package dev.billing.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * US dollars as exact decimals. Every amount on the wire is a decimal string; a binary float never
 * touches money. Amounts that people type (credits, limits, rates) carry at most six decimals;
 * list costs (tokens x a six-decimal rate per million) at most twelve; a volume discount of up to
 * two-decimal percent adds four more. The PostgreSQL money columns are {@code numeric(38,18)}.
 *
 * <p>Range: {@code numeric(38,18)} holds fewer than 10^20 dollars (20 integer digits). Every amount
 * given to the job (a purchase, an adjustment, a limit, a threshold, a $/1M rate) is at most
 * {@link #MAX_INPUT} = $1,000,000,000 in absolute value, so that no single message can overflow a
 * column: the largest record (10^12 tokens, the parser's cap) at the largest rate costs
 * 10^12 x 10^9 / 10^6 = 10^15 dollars, 100,000 times below the column's limit, and the largest
 * amount is 10^11 times below it. Only sums of many messages can still reach the limit; the
 * ledger checks those against the account's totals before it adds them
 * ({@code dev.billing.ledger.ColumnBounds}).
 */
public final class Money {

    /** Decimals allowed in an amount or a rate given to the job (credits, limits, $/1M rates). */
    public static final int INPUT_SCALE = 6;
    /** Decimals a charged amount can have: tokens x rate / 1,000,000 x (100 - percent) / 100. */
    public static final int COST_SCALE = 18;

    /** The largest amount or rate a message may carry, in absolute value: $1,000,000,000. */
    public static final BigDecimal MAX_INPUT = new BigDecimal("1000000000");

    public static final BigDecimal ZERO = BigDecimal.ZERO;
    private static final Pattern DECIMAL = Pattern.compile("-?\\d{1,20}(\\.\\d{1,20})?");

    private Money() {}

    /**
     * Parses a decimal string such as {@code "5.00"} or {@code "-0.25"}.
     *
     * @throws IllegalArgumentException when the text is not a plain decimal, has more than
     *     {@link #INPUT_SCALE} decimals or is beyond {@link #MAX_INPUT} either way
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
        if (value.abs().compareTo(MAX_INPUT) > 0) {
            throw new IllegalArgumentException("beyond " + MAX_INPUT.toPlainString() + " either way: '"
                    + abbreviate(text) + "'");
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
