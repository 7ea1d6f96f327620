package dev.billing.ledger;

import dev.billing.serde.MonthSpendFormat;
import java.math.BigDecimal;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/** Spend of an account in one UTC calendar month: at list prices, and as charged after discounts. */
@TypeInfo(MonthSpendFormat.TypeInfoFactory.class)
public class MonthSpend {
    public BigDecimal listUsd;
    public BigDecimal chargedUsd;

    public MonthSpend() {}

    static MonthSpend zero() {
        MonthSpend m = new MonthSpend();
        m.listUsd = BigDecimal.ZERO;
        m.chargedUsd = BigDecimal.ZERO;
        return m;
    }

    void add(BigDecimal list, BigDecimal charged) {
        listUsd = listUsd.add(list);
        chargedUsd = chargedUsd.add(charged);
    }
}
