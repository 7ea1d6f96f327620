package dev.billing.ledger;

import java.math.BigDecimal;

/** Running totals of one (model, UTC hour) of an account, and whether they changed since the last flush. */
public class UsageRollup {
    public String model;
    public long hourStartMs;
    public long requests;
    public long promptTokens;
    public long completionTokens;
    /** As charged, after volume discounts. */
    public BigDecimal costUsd;
    /** At list (or override) prices, before volume discounts. */
    public BigDecimal listCostUsd;
    public boolean dirty;

    public UsageRollup() {}

    static UsageRollup empty(String model, long hourStartMs) {
        UsageRollup r = new UsageRollup();
        r.model = model;
        r.hourStartMs = hourStartMs;
        r.costUsd = BigDecimal.ZERO;
        r.listCostUsd = BigDecimal.ZERO;
        return r;
    }

    void add(long promptTokens, long completionTokens, BigDecimal costUsd, BigDecimal listCostUsd) {
        this.requests++;
        this.promptTokens += promptTokens;
        this.completionTokens += completionTokens;
        this.costUsd = this.costUsd.add(costUsd);
        this.listCostUsd = this.listCostUsd.add(listCostUsd);
        this.dirty = true;
    }
}
