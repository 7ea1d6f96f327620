package dev.billing.serde;

import dev.billing.ledger.UsageRollup;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link UsageRollup} in state (closed hours, and open ones inside {@code AccountState}): format 1,
 * counters as varlongs, money as exact decimals.
 */
public final class UsageRollupFormat extends VersionedFormat<UsageRollup> {
    private static final long serialVersionUID = 1L;
    public static final UsageRollupFormat INSTANCE = new UsageRollupFormat();

    public UsageRollupFormat() {
        super(UsageRollup.class, 1, 1);
    }

    /** Flink's type information for {@link UsageRollup}. */
    public static final class TypeInfoFactory extends VersionedTypeInfoFactory<UsageRollup> {
        public TypeInfoFactory() {
            super(INSTANCE);
        }
    }

    @Override
    protected void write(UsageRollup r, DataOutputView out, int format) throws IOException {
        Codec.writeString(out, r.model);
        Codec.writeZigZagLong(out, r.hourStartMs);
        Codec.writeZigZagLong(out, r.requests);
        Codec.writeZigZagLong(out, r.promptTokens);
        Codec.writeZigZagLong(out, r.completionTokens);
        Codec.writeDecimal(out, r.costUsd);
        Codec.writeDecimal(out, r.listCostUsd);
    }

    @Override
    protected UsageRollup read(DataInputView in, int format) throws IOException {
        UsageRollup r = new UsageRollup();
        r.model = Codec.readString(in);
        r.hourStartMs = Codec.readZigZagLong(in);
        r.requests = Codec.readZigZagLong(in);
        r.promptTokens = Codec.readZigZagLong(in);
        r.completionTokens = Codec.readZigZagLong(in);
        r.costUsd = Codec.readDecimal(in);
        r.listCostUsd = Codec.readDecimal(in);
        return r;
    }
}
