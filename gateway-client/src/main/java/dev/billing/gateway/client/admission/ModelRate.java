package dev.billing.gateway.client.admission;

import java.math.BigDecimal;

/**
 * A price per million tokens, as the billing job prices a usage record: prompt tokens at the
 * input rate plus completion tokens at the output rate, exact, with no rounding.
 */
public record ModelRate(BigDecimal inputUsdPer1m, BigDecimal outputUsdPer1m) {
    public BigDecimal cost(long promptTokens, long completionTokens) {
        return per1m(promptTokens, inputUsdPer1m).add(per1m(completionTokens, outputUsdPer1m));
    }

    private static BigDecimal per1m(long tokens, BigDecimal usdPer1m) {
        // dividing by 10^6 moves the point: exact, whatever the scale
        return BigDecimal.valueOf(tokens).multiply(usdPer1m).movePointLeft(6);
    }

    /** The higher of each rate: a bound on both. */
    ModelRate max(ModelRate other) {
        return other == null ? this
                : new ModelRate(inputUsdPer1m.max(other.inputUsdPer1m), outputUsdPer1m.max(other.outputUsdPer1m));
    }
}
