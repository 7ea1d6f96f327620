package dev.billing.ledger;

import dev.billing.serde.Codec;
import dev.billing.serde.RecordSerializer;
import dev.billing.serde.VersionedSerializerSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link AccountState} in state, written field by field: money as exact decimals (scale and
 * unscaled value), integers as varints, no reflection. The field order is the format: a change to
 * it needs a new format (see {@link Snapshot}) and a reader of the old one, which restores migrate.
 */
public final class AccountStateSerializer extends RecordSerializer<AccountState> {
    private static final long serialVersionUID = 1L;
    /** The format this build writes (see {@link Snapshot}). */
    static final int FORMAT = 2;
    public static final AccountStateSerializer INSTANCE = new AccountStateSerializer();

    @Override
    public AccountState createInstance() {
        return new AccountState();
    }

    @Override
    public void serialize(AccountState s, DataOutputView out) throws IOException {
        Codec.writeDecimal(out, s.creditsUsd);
        Codec.writeDecimal(out, s.spendUsd);
        Codec.writeZigZagInt(out, s.currentMonth);
        out.writeBoolean(s.month != null);
        if (s.month != null) {
            MonthSpendSerializer.write(s.month, out);
        }
        out.writeLong(s.newestMs);
        Codec.writeVarInt(out, s.blockMask);
        Codec.writeZigZagLong(out, s.version);
        out.writeLong(s.versionRun);
        out.writeLong(s.versionClockMs);
        Codec.writeDecimal(out, s.monthlyHardLimitUsd);
        Codec.writeDecimals(out, s.alertThresholdsUsd);
        Codec.writeDecimal(out, s.alertedUpToUsd);
        Codec.writeZigZagInt(out, s.alertedMonth);
        Codec.writeDecimal(out, s.lastTopUpUsd);
        Codec.writeZigZagInt(out, s.topUps);
        out.writeBoolean(s.lowBalanceAlerted);
        Codec.writeDecimals(out, s.discountAboveUsd);
        Codec.writeDecimals(out, s.discountPercent);
        Codec.writeZigZagLong(out, s.rolloverAtMs);
        Codec.writeVarInt(out, s.openRollups.size());
        for (UsageRollup r : s.openRollups) {
            UsageRollupSerializer.write(r, out);
        }
        out.writeLong(s.oldestRollupHourMs);
        out.writeInt(s.oldestPastMonth);
        out.writeLong(s.oldestSeenMs);
        out.writeBoolean(s.statusBehind);
        writeAutoTopUp(s, out);
    }

    static void writeAutoTopUp(AccountState s, DataOutputView out) throws IOException {
        Codec.writeDecimal(out, s.autoTopUpBelowUsd);
        Codec.writeDecimal(out, s.autoTopUpAmountUsd);
        out.writeBoolean(s.autoTopUpRequested);
        Codec.writeZigZagInt(out, s.autoTopUpRequests);
    }

    @Override
    public AccountState deserialize(DataInputView in) throws IOException {
        AccountState s = readFormat1(in);
        s.autoTopUpBelowUsd = Codec.readDecimal(in);
        s.autoTopUpAmountUsd = Codec.readDecimal(in);
        s.autoTopUpRequested = in.readBoolean();
        s.autoTopUpRequests = Codec.readZigZagInt(in);
        return s;
    }

    /** The fields of format 1, in its order (format 2 appends). */
    static AccountState readFormat1(DataInputView in) throws IOException {
        AccountState s = new AccountState();
        s.creditsUsd = Codec.readDecimal(in);
        s.spendUsd = Codec.readDecimal(in);
        s.currentMonth = Codec.readZigZagInt(in);
        if (in.readBoolean()) {
            s.month = MonthSpendSerializer.read(in);
        }
        s.newestMs = in.readLong();
        s.blockMask = Codec.readVarInt(in);
        s.version = Codec.readZigZagLong(in);
        s.versionRun = in.readLong();
        s.versionClockMs = in.readLong();
        s.monthlyHardLimitUsd = Codec.readDecimal(in);
        s.alertThresholdsUsd = Codec.readDecimals(in);
        s.alertedUpToUsd = Codec.readDecimal(in);
        s.alertedMonth = Codec.readZigZagInt(in);
        s.lastTopUpUsd = Codec.readDecimal(in);
        s.topUps = Codec.readZigZagInt(in);
        s.lowBalanceAlerted = in.readBoolean();
        s.discountAboveUsd = Codec.readDecimals(in);
        s.discountPercent = Codec.readDecimals(in);
        s.rolloverAtMs = Codec.readZigZagLong(in);
        int open = Codec.readVarInt(in);
        s.openRollups = new ArrayList<>(Math.max(open, 4));
        for (int i = 0; i < open; i++) {
            s.openRollups.add(UsageRollupSerializer.read(in));
        }
        s.oldestRollupHourMs = in.readLong();
        s.oldestPastMonth = in.readInt();
        s.oldestSeenMs = in.readLong();
        s.statusBehind = in.readBoolean();
        return s;
    }

    @Override
    public TypeSerializerSnapshot<AccountState> snapshotConfiguration() {
        return new Snapshot(FORMAT);
    }

    /** Format 1: the fields before the auto top-up; format 2 appends its four. */
    public static final class Snapshot extends VersionedSerializerSnapshot<AccountState> {
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
        protected TypeSerializer<AccountState> serializerFor(int format) {
            return switch (format) {
                case 1 -> Format1Reader.INSTANCE;
                case FORMAT -> INSTANCE;
                default -> null;
            };
        }
    }

    /** Reads (and writes) state of format 1, for the migration of a checkpoint taken before the auto top-up. */
    static final class Format1Reader extends RecordSerializer<AccountState> {
        private static final long serialVersionUID = 1L;
        static final Format1Reader INSTANCE = new Format1Reader();

        @Override
        public AccountState createInstance() {
            return new AccountState();
        }

        @Override
        public void serialize(AccountState s, DataOutputView out) throws IOException {
            DataOutputSerializer format2 = new DataOutputSerializer(128);
            AccountStateSerializer.INSTANCE.serialize(s, format2);
            DataOutputSerializer tail = new DataOutputSerializer(16);
            writeAutoTopUp(s, tail);
            out.write(format2.getSharedBuffer(), 0, format2.length() - tail.length());
        }

        @Override
        public AccountState deserialize(DataInputView in) throws IOException {
            return readFormat1(in);
        }

        @Override
        public TypeSerializerSnapshot<AccountState> snapshotConfiguration() {
            return new Snapshot(1);
        }
    }
}
