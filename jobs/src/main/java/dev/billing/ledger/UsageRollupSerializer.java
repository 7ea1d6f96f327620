package dev.billing.ledger;

import dev.billing.serde.Codec;
import dev.billing.serde.RecordSerializer;
import dev.billing.serde.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/** {@link UsageRollup} in state: counters as varlongs, money as exact decimals, no reflection. */
public final class UsageRollupSerializer extends RecordSerializer<UsageRollup> {
    private static final long serialVersionUID = 1L;
    public static final UsageRollupSerializer INSTANCE = new UsageRollupSerializer();

    @Override
    public UsageRollup createInstance() {
        return new UsageRollup();
    }

    @Override
    public void serialize(UsageRollup r, DataOutputView out) throws IOException {
        write(r, out);
    }

    @Override
    public UsageRollup deserialize(DataInputView in) throws IOException {
        return read(in);
    }

    static void write(UsageRollup r, DataOutputView out) throws IOException {
        Codec.writeString(out, r.model);
        Codec.writeZigZagLong(out, r.hourStartMs);
        Codec.writeZigZagLong(out, r.requests);
        Codec.writeZigZagLong(out, r.promptTokens);
        Codec.writeZigZagLong(out, r.completionTokens);
        Codec.writeDecimal(out, r.costUsd);
        Codec.writeDecimal(out, r.listCostUsd);
    }

    static UsageRollup read(DataInputView in) throws IOException {
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

    @Override
    public TypeSerializerSnapshot<UsageRollup> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Format 1: the fields in the order above. */
    public static final class Snapshot extends VersionedSerializerSnapshot<UsageRollup> {
        static final int FORMAT = 1;

        @Override
        protected int currentFormat() {
            return FORMAT;
        }

        @Override
        protected TypeSerializer<UsageRollup> serializerFor(int format) {
            return format == FORMAT ? INSTANCE : null;
        }
    }
}
