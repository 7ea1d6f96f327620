package dev.billing.model;

import dev.billing.serde.SerializerTypeInfo;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What the per-account ledger consumes: a usage record or an account event, one of the two set.
 * Both arrive on one keyed stream so that a single keyBy serves every per-account concern.
 */
@TypeInfo(LedgerInput.TypeInfoFactory.class)
public class LedgerInput {
    /** Flink uses the hand-written {@link LedgerInputSerializer} for this class on the network. */
    public static final class TypeInfoFactory extends org.apache.flink.api.common.typeinfo.TypeInfoFactory<LedgerInput> {
        @Override
        public TypeInformation<LedgerInput> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new SerializerTypeInfo<>(LedgerInput.class, LedgerInputSerializer.INSTANCE);
        }
    }

    public UsageRecord usage;
    public AccountEvent event;

    public LedgerInput() {}

    public static LedgerInput of(UsageRecord usage) {
        LedgerInput in = new LedgerInput();
        in.usage = usage;
        return in;
    }

    public static LedgerInput of(AccountEvent event) {
        LedgerInput in = new LedgerInput();
        in.event = event;
        return in;
    }

    public String accountId() {
        return usage != null ? usage.accountId : event.accountId;
    }
}
