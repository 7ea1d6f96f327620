package dev.billing.ledger;

import dev.billing.serde.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Spend of an account in one UTC calendar month: at list prices, and as charged after discounts. */
@TypeInfo(MonthSpend.TypeInfoFactory.class)
public class MonthSpend {
    /** Flink uses the hand-written {@link MonthSpendSerializer} for this class wherever it is state or a record. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<MonthSpend> {
        @Override
        public TypeInformation<MonthSpend> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(MonthSpend.class, MonthSpendSerializer.INSTANCE);
        }
    }

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
