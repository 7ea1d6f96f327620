package dev.billing.ledger;

import dev.billing.serde.Codec;
import dev.billing.serde.RecordSerializer;
import dev.billing.serde.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** {@link MonthSpend} in state: two exact decimals, no reflection. */
public final class MonthSpendSerializer extends RecordSerializer<MonthSpend> {
    private static final long serialVersionUID = 1L;
    public static final MonthSpendSerializer INSTANCE = new MonthSpendSerializer();

    @Override
    public MonthSpend createInstance() {
        return MonthSpend.zero();
    }

    @Override
    public void serialize(MonthSpend m, DataOutputView out) throws IOException {
        write(m, out);
    }

    @Override
    public MonthSpend deserialize(DataInputView in) throws IOException {
        return read(in);
    }

    /** Not null: state never holds a null month. */
    static void write(MonthSpend m, DataOutputView out) throws IOException {
        Codec.writeDecimal(out, m.listUsd);
        Codec.writeDecimal(out, m.chargedUsd);
    }

    static MonthSpend read(DataInputView in) throws IOException {
        MonthSpend m = new MonthSpend();
        m.listUsd = Codec.readDecimal(in);
        m.chargedUsd = Codec.readDecimal(in);
        return m;
    }

    @Override
    public TypeSerializerSnapshot<MonthSpend> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format 1: the fields in the order above. */
    public static final class Snapshot extends VersionedSerializerSnapshot<MonthSpend> {
        static final int FORMAT = 1;

        @Override
        protected int currentFormat() {
            return FORMAT;
        }

        @Override
        protected TypeSerializer<MonthSpend> serializerFor(int format) {
            return format == FORMAT ? INSTANCE : null;
        }
    }
}
