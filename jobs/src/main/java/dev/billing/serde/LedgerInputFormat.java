package dev.billing.serde;

import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.LedgerInput;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link LedgerInput} on the network (the keyBy in front of the ledger) and in the in-flight data
 * of unaligned checkpoints, field by field: no reflection, money as exact decimals, the source
 * record's original bytes kept for the dead-letter topic. Format 2 adds the event's
 * {@code below_usd} (auto top-up).
 */
public final class LedgerInputFormat extends VersionedFormat<LedgerInput> {
    private static final long serialVersionUID = 1L;
    public static final LedgerInputFormat INSTANCE = new LedgerInputFormat();
    private static final AccountEventType[] TYPES = AccountEventType.values();

    public LedgerInputFormat() {
        super(LedgerInput.class, 1, 2);
    }

    /** Flink's type information for {@link LedgerInput}. */
    public static final class TypeInfoFactory extends VersionedTypeInfoFactory<LedgerInput> {
        public TypeInfoFactory() {
            super(INSTANCE);
        }
    }

    @Override
    protected void write(LedgerInput in, DataOutputView out, int format) throws IOException {
        out.writeByte((in.usage != null ? 1 : 0) | (in.event != null ? 2 : 0));
        if (in.usage != null) {
            writeUsage(in.usage, out);
        }
        if (in.event != null) {
            writeEvent(in.event, out, format);
        }
    }

    @Override
    protected LedgerInput read(DataInputView source, int format) throws IOException {
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

    private static void writeUsage(UsageRecord u, DataOutputView out) throws IOException {
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

    private static UsageRecord readUsage(DataInputView in) throws IOException {
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

    private static void writeEvent(AccountEvent e, DataOutputView out, int format) throws IOException {
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

    private static AccountEvent readEvent(DataInputView in, int format) throws IOException {
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

    private static void writeSource(SourceRecord s, DataOutputView out) throws IOException {
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

    private static SourceRecord readSource(DataInputView in) throws IOException {
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
}
