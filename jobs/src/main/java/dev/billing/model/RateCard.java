package dev.billing.model;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A price for a model from {@code effectiveFromMs} on: the list price when {@code accountId} is
 * null, else an enterprise override for that account.
 */
public class RateCard implements Serializable {
    private static final long serialVersionUID = 1L;

    public String model;
    public BigDecimal inputUsdPer1m;
    public BigDecimal outputUsdPer1m;
    public long effectiveFromMs;
    public String accountId;

    public RateCard() {}

    public RateCard(String model, BigDecimal inputUsdPer1m, BigDecimal outputUsdPer1m,
            long effectiveFromMs, String accountId) {
        this.model = model;
        this.inputUsdPer1m = inputUsdPer1m;
        this.outputUsdPer1m = outputUsdPer1m;
        this.effectiveFromMs = effectiveFromMs;
        this.accountId = accountId;
    }

    /** The identity of a price line: two cards with the same id replace each other. */
    public String id() {
        return (accountId == null ? "" : accountId) + '\u0000' + model + '\u0000' + effectiveFromMs;
    }
}
