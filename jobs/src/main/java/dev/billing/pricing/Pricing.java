package dev.billing.pricing;

import dev.billing.model.Money;
import dev.billing.model.RateCard;
import java.math.BigDecimal;

/** The billing formula of the pricing page: tokens x $/1M, input and output priced apart, no fees. */
public final class Pricing {
    private Pricing() {}

    public static BigDecimal cost(RateCard rate, long promptTokens, long completionTokens) {
        return Money.costOf(promptTokens, rate.inputUsdPer1m).add(Money.costOf(completionTokens, rate.outputUsdPer1m));
    }
}
