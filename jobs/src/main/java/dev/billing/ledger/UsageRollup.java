package dev.billing.ledger;

import dev.billing.serde.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Running totals of one (model, UTC hour) of an account. */
@TypeInfo(UsageRollup.TypeInfoFactory.class)
public class UsageRollup {
    /** Flink uses the hand-written {@link UsageRollupSerializer} for this class wherever it is state or a record. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<UsageRollup> {
        @Override
        public TypeInformation<UsageRollup> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(UsageRollup.class, UsageRollupSerializer.INSTANCE);
        }
    }

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
