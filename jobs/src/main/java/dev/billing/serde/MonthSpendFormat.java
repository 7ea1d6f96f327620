package dev.billing.serde;

import dev.billing.ledger.MonthSpend;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** {@link MonthSpend} in state (past months, and inside {@code AccountState}): format 1, two exact decimals. */
public final class MonthSpendFormat extends VersionedFormat<MonthSpend> {
    private static final long serialVersionUID = 1L;
    public static final MonthSpendFormat INSTANCE = new MonthSpendFormat();

    public MonthSpendFormat() {
        super(MonthSpend.class, 1, 1);
    }

    /** Flink's type information for {@link MonthSpend}. */
    public static final class TypeInfoFactory extends VersionedTypeInfoFactory<MonthSpend> {
        public TypeInfoFactory() {
            super(INSTANCE);
        }
    }

    /** Not null: state never holds a null month. */
    @Override
    protected void write(MonthSpend m, DataOutputView out, int format) throws IOException {
        Codec.writeDecimal(out, m.listUsd);
        Codec.writeDecimal(out, m.chargedUsd);
    }

    @Override
    protected MonthSpend read(DataInputView in, int format) throws IOException {
        MonthSpend m = new MonthSpend();
        m.listUsd = Codec.readDecimal(in);
        m.chargedUsd = Codec.readDecimal(in);
        return m;
    }
}
