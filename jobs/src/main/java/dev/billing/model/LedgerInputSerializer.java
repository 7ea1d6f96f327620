package dev.billing.model;

import dev.billing.serde.Codec;
import dev.billing.serde.RecordSerializer;
import dev.billing.serde.VersionedSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
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
    /** The format this build writes: 2 added the event's {@code below_usd} (auto top-up). */
    static final int FORMAT = 2;

    @Override
    public LedgerInput createInstance() {
        return new LedgerInput();
    }

    @Override
    public void serialize(LedgerInput in, DataOutputView out) throws IOException {
        write(in, out, FORMAT);
    }

    @Override
    public LedgerInput deserialize(DataInputView source) throws IOException {
        return read(source, FORMAT);
    }

    static void write(LedgerInput in, DataOutputView out, int format) throws IOException {
        out.writeByte((in.usage != null ? 1 : 0) | (in.event != null ? 2 : 0));
        if (in.usage != null) {
            writeUsage(in.usage, out);
        }
        if (in.event != null) {
            writeEvent(in.event, out, format);
        }
    }

    static LedgerInput read(DataInputView source, int format) throws IOException {
        int present = source.readUnsignedByte();
        LedgerInput in = new LedgerInput();
        if ((present & 1) != 0) {
            in.usage = readUsage(source);
        }
        if ((present & 2) != 0) {
            in.event = readEvent(source, format);
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

    static void writeEvent(AccountEvent e, DataOutputView out, int format) throws IOException {
        Codec.writeString(out, e.eventId);
        Codec.writeString(out, e.accountId);
        Codec.writeVarInt(out, e.type == null ? 0 : e.type.ordinal() + 1);
        out.writeLong(e.occurredAtMs);
        Codec.writeDecimal(out, e.amountUsd);
        Codec.writeDecimal(out, e.monthlyHardLimitUsd);
        Codec.writeDecimals(out, e.alertThresholdsUsd);
        Codec.writeDecimals(out, e.discountAboveUsd);
        Codec.writeDecimals(out, e.discountPercent);
        if (format >= 2) {
            Codec.writeDecimal(out, e.belowUsd);
        }
        writeSource(e.source, out);
    }

    static AccountEvent readEvent(DataInputView in, int format) throws IOException {
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
        if (format >= 2) {
            e.belowUsd = Codec.readDecimal(in);
        }
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

    /** Format 1: the fields in the order above, without the event's below_usd; format 2 with it. */
    public static final class Snapshot extends VersionedSerializerSnapshot<LedgerInput> {
        /** For Flink, which reads the format afterwards. */
        public Snapshot() {}

        Snapshot(int format) {
            super(format);
        }

        @Override
        protected int currentFormat() {
            return FORMAT;
        }

        @Override
        protected TypeSerializer<LedgerInput> serializerFor(int format) {
            return switch (format) {
                case 1 -> Format1.INSTANCE;
                case FORMAT -> INSTANCE;
                default -> null;
            };
        }
    }

    /** Reads (and writes) format 1: records in flight in an unaligned checkpoint taken before the auto top-up. */
    static final class Format1 extends RecordSerializer<LedgerInput> {
        private static final long serialVersionUID = 1L;
        static final Format1 INSTANCE = new Format1();

        @Override
        public LedgerInput createInstance() {
            return new LedgerInput();
        }

        @Override
        public void serialize(LedgerInput in, DataOutputView out) throws IOException {
            write(in, out, 1);
        }

        @Override
        public LedgerInput deserialize(DataInputView source) throws IOException {
            return read(source, 1);
        }

        @Override
        public TypeSerializerSnapshot<LedgerInput> snapshotConfiguration() {
            return new Snapshot(1);
        }
    }
}
