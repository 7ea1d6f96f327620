package dev.billing.model;

import dev.billing.serde.Codec;
import dev.billing.serde.RecordSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link LedgerInput} on the network (the keyBy in front of the ledger), written field by field:
 * no reflection, money as exact decimals, the source record's original bytes kept for the
 * dead-letter topic.
 */
public final class LedgerInputSerializer extends RecordSerializer<LedgerInput> {
    private static final long serialVersionUID = 1L;
    public static final LedgerInputSerializer INSTANCE = new LedgerInputSerializer();
    private static final AccountEventType[] TYPES = AccountEventType.values();

    @Override
    public LedgerInput createInstance() {
        return new LedgerInput();
    }

    @Override
    public void serialize(LedgerInput in, DataOutputView out) throws IOException {
        out.writeByte((in.usage != null ? 1 : 0) | (in.event != null ? 2 : 0));
        if (in.usage != null) {
            writeUsage(in.usage, out);
        }
        if (in.event != null) {
            writeEvent(in.event, out);
        }
    }

    @Override
    public LedgerInput deserialize(DataInputView source) throws IOException {
        int present = source.readUnsignedByte();
        LedgerInput in = new LedgerInput();
        if ((present & 1) != 0) {
            in.usage = readUsage(source);
        }
        if ((present & 2) != 0) {
            in.event = readEvent(source);
        }
        return in;
    }

    static void writeUsage(UsageRecord u, DataOutputView out) throws IOException {
        Codec.writeString(out, u.requestId);
        Codec.writeString(out, u.accountId);
        Codec.writeString(out, u.model);
        Codec.writeZigZagLong(out, u.promptTokens);
        Codec.writeZigZagLong(out, u.completionTokens);
        Codec.writeZigZagLong(out, u.totalTokens);
        out.writeLong(u.completedAtMs);
        Codec.writeString(out, u.nodeId);
        writeSource(u.source, out);
    }

    static UsageRecord readUsage(DataInputView in) throws IOException {
        UsageRecord u = new UsageRecord();
        u.requestId = Codec.readString(in);
        u.accountId = Codec.readString(in);
        u.model = Codec.readString(in);
        u.promptTokens = Codec.readZigZagLong(in);
        u.completionTokens = Codec.readZigZagLong(in);
        u.totalTokens = Codec.readZigZagLong(in);
        u.completedAtMs = in.readLong();
        u.nodeId = Codec.readString(in);
        u.source = readSource(in);
        return u;
    }

    static void writeEvent(AccountEvent e, DataOutputView out) throws IOException {
        Codec.writeString(out, e.eventId);
        Codec.writeString(out, e.accountId);
        Codec.writeVarInt(out, e.type == null ? 0 : e.type.ordinal() + 1);
        out.writeLong(e.occurredAtMs);
        Codec.writeDecimal(out, e.amountUsd);
        Codec.writeDecimal(out, e.monthlyHardLimitUsd);
        Codec.writeDecimals(out, e.alertThresholdsUsd);
        Codec.writeDecimals(out, e.discountAboveUsd);
        Codec.writeDecimals(out, e.discountPercent);
        Codec.writeDecimal(out, e.belowUsd);
        writeSource(e.source, out);
    }

    static AccountEvent readEvent(DataInputView in) throws IOException {
        AccountEvent e = new AccountEvent();
        e.eventId = Codec.readString(in);
        e.accountId = Codec.readString(in);
        int type = Codec.readVarInt(in);
        e.type = type == 0 ? null : TYPES[type - 1];
        e.occurredAtMs = in.readLong();
        e.amountUsd = Codec.readDecimal(in);
        e.monthlyHardLimitUsd = Codec.readDecimal(in);
        e.alertThresholdsUsd = Codec.readDecimals(in);
        e.discountAboveUsd = Codec.readDecimals(in);
        e.discountPercent = Codec.readDecimals(in);
        e.belowUsd = Codec.readDecimal(in);
        e.source = readSource(in);
        return e;
    }

    static void writeSource(SourceRecord s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s == null) {
            return;
        }
        Codec.writeString(out, s.topic);
        Codec.writeVarInt(out, s.partition);
        Codec.writeZigZagLong(out, s.offset);
        out.writeLong(s.timestampMs);
        Codec.writeBytes(out, s.key);
        Codec.writeBytes(out, s.value);
    }

    static SourceRecord readSource(DataInputView in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        SourceRecord s = new SourceRecord();
        s.topic = Codec.readString(in);
        s.partition = Codec.readVarInt(in);
        s.offset = Codec.readZigZagLong(in);
        s.timestampMs = in.readLong();
        s.key = Codec.readBytes(in);
        s.value = Codec.readBytes(in);
        return s;
    }

    @Override
    public TypeSerializerSnapshot<LedgerInput> snapshotConfiguration() {
        return new Snapshot();
    }

    public static final class Snapshot extends SimpleTypeSerializerSnapshot<LedgerInput> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
