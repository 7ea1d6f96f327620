package dev.billing.ledger;

import dev.billing.model.RejectReason;
import java.math.BigDecimal;

/**
 * Whether a total the ledger keeps still fits the PostgreSQL column it is written to. A single
 * message is bounded by its parser (see {@link dev.billing.model.Money}), but a sum of many is
 * not: an amount that fits alone can take a balance, a lifetime spend or an hourly rollup past its
 * column, and the row would then fail its sink on every retry. The ledger asks before it changes
 * state and dead-letters the message instead, so the state never holds a total no sink can store.
 *
 * <pre>{@code
 * String overflow = new ColumnBounds.Check()
 *         .plus("account_balance.spend_usd", state.spendUsd, charged)
 *         .plus("usage_hourly.prompt_tokens", rollup.promptTokens, usage.promptTokens)
 *         .firstOverflow();   // null when every total fits; check.reason() is the dead-letter reason
 * }</pre>
 */
public final class ColumnBounds {
    /** {@code numeric(38,18)}: 38 digits, 18 of them after the point, so |value| < 10^20. */
    public static final BigDecimal NUMERIC_LIMIT = BigDecimal.TEN.pow(20);
    public static final int NUMERIC_SCALE = 18;

    private ColumnBounds() {}

    /** Whether {@code value} is stored in a {@code numeric(38,18)} column exactly (no rounding, no overflow). */
    public static boolean fits(BigDecimal value) {
        return value.abs().compareTo(NUMERIC_LIMIT) < 0 && value.stripTrailingZeros().scale() <= NUMERIC_SCALE;
    }

    /** Whether {@code total + amount} fits {@code numeric(38,18)}. */
    public static boolean sumFits(BigDecimal total, BigDecimal amount) {
        return fits(total.add(amount));
    }

    /** Whether {@code credits}, {@code spend} and the balance {@code credits - spend} all fit {@code numeric(38,18)}. */
    public static boolean balanceFits(BigDecimal credits, BigDecimal spend) {
        return fits(credits) && fits(spend) && fits(credits.subtract(spend));
    }

    /**
     * Whether {@code value} is below 10^19 with at most 18 decimals: two such values always sum into
     * {@code numeric(38,18)}. Read off the representation, no arithmetic: the check runs for every
     * record, and nearly every total is far inside the column.
     */
    private static boolean below19Digits(BigDecimal value) {
        return value.precision() - value.scale() <= 19 && value.scale() <= NUMERIC_SCALE;
    }

    /** Whether {@code total + increment} of two counts (tokens, requests; never negative) fits {@code bigint}. */
    public static boolean bigintSumFits(long total, long increment) {
        if (total < 0 || increment < 0) {
            throw new IllegalArgumentException("counts are never negative: " + total + " + " + increment);
        }
        return increment <= Long.MAX_VALUE - total;
    }

    /** Several totals checked at once, naming the first column that would overflow. */
    public static final class Check {
        private String overflow;
        private RejectReason reason;

        /** {@code total + amount}, bound for a {@code numeric(38,18)} column. */
        public Check plus(String column, BigDecimal total, BigDecimal amount) {
            if (overflow == null && !(below19Digits(total) && below19Digits(amount)) && !sumFits(total, amount)) {
                overflow = column + " would be " + total.add(amount).toPlainString()
                        + ", beyond numeric(38,18) (|value| < 10^20)";
                reason = RejectReason.INVALID_AMOUNT;
            }
            return this;
        }

        /** {@code total + increment}, bound for a {@code bigint} column. */
        public Check plus(String column, long total, long increment) {
            if (overflow == null && !bigintSumFits(total, increment)) {
                overflow = column + " " + total + " + " + increment + " would be beyond bigint (2^63 - 1)";
                reason = RejectReason.INVALID_FIELD;
            }
            return this;
        }

        /** Why the message must be rejected, or null when every total fits. */
        public String firstOverflow() {
            return overflow;
        }

        /**
         * The dead-letter reason for the first overflow: {@code INVALID_AMOUNT} for money (the
         * message's amount or cost), {@code INVALID_FIELD} for a count (its tokens); null when all fit.
         */
        public RejectReason reason() {
            return reason;
        }
    }
}
