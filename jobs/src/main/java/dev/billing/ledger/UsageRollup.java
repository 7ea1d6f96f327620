package dev.billing.ledger;

import dev.billing.serde.UsageRollupFormat;
import java.math.BigDecimal;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/** Running totals of one (model, UTC hour) of an account. */
@TypeInfo(UsageRollupFormat.TypeInfoFactory.class)
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

    public UsageRollup() {}

    static UsageRollup empty(String model, long hourStartMs) {
        UsageRollup r = new UsageRollup();
        r.model = model;
        r.hourStartMs = hourStartMs;
        r.costUsd = BigDecimal.ZERO;
        r.listCostUsd = BigDecimal.ZERO;
        return r;
    }

    UsageRollup copy() {
        UsageRollup r = new UsageRollup();
        r.model = model;
        r.hourStartMs = hourStartMs;
        r.requests = requests;
        r.promptTokens = promptTokens;
        r.completionTokens = completionTokens;
        r.costUsd = costUsd;
        r.listCostUsd = listCostUsd;
        return r;
    }

    void add(long promptTokens, long completionTokens, BigDecimal costUsd, BigDecimal listCostUsd) {
        this.requests++;
        this.promptTokens += promptTokens;
        this.completionTokens += completionTokens;
        this.costUsd = this.costUsd.add(costUsd);
        this.listCostUsd = this.listCostUsd.add(listCostUsd);
    }
}
