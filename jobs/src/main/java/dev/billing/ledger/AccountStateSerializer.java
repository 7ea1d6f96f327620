package dev.billing.ledger;

import dev.billing.serde.Codec;
import dev.billing.serde.RecordSerializer;
import dev.billing.serde.VersionedSerializerSnapshot;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
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
        AccountMoney money = s.money;
        AccountTerms terms = s.terms;
        SentSignals sent = s.sent;
        Bookkeeping book = s.bookkeeping;
        // format 1: the parts' fields interleaved, in the order the format has always had
        Codec.writeDecimal(out, money.creditsUsd());
        Codec.writeDecimal(out, money.spendUsd());
        Codec.writeZigZagInt(out, money.currentMonth());
        out.writeBoolean(money.month() != null);
        if (money.month() != null) {
            MonthSpendSerializer.write(money.month(), out);
        }
        out.writeLong(book.newestInputMs());
        Codec.writeVarInt(out, book.blockMask());
        Codec.writeZigZagLong(out, book.version());
        out.writeLong(book.versionRun());
        out.writeLong(book.versionClockMs());
        Codec.writeDecimal(out, terms.monthlyHardLimitUsd());
        Codec.writeDecimals(out, terms.alertThresholdsUsd());
        Codec.writeDecimal(out, sent.alertedUpToUsd());
        Codec.writeZigZagInt(out, sent.alertedMonth());
        Codec.writeDecimal(out, money.lastTopUpUsd());
        Codec.writeZigZagInt(out, money.topUps());
        out.writeBoolean(sent.lowBalanceAlerted());
        Codec.writeDecimals(out, terms.discountAboveUsd());
        Codec.writeDecimals(out, terms.discountPercent());
        Codec.writeZigZagLong(out, book.monthStartTimerMs());
        Codec.writeVarInt(out, s.openRollups.size());
        for (UsageRollup r : s.openRollups.all()) {
            UsageRollupSerializer.write(r, out);
        }
        out.writeLong(book.oldestRollupHourMs());
        out.writeInt(book.oldestPastMonth());
        out.writeLong(book.oldestSeenMs());
        out.writeBoolean(book.statusBehind());
        writeAutoTopUp(s, out);
    }

    /** What format 2 appends. */
    static void writeAutoTopUp(AccountState s, DataOutputView out) throws IOException {
        Codec.writeDecimal(out, s.terms.autoTopUpBelowUsd());
        Codec.writeDecimal(out, s.terms.autoTopUpAmountUsd());
        out.writeBoolean(s.sent.topUpRequested());
        Codec.writeZigZagInt(out, s.sent.topUpRequests());
    }

    @Override
    public AccountState deserialize(DataInputView in) throws IOException {
        return read(in, FORMAT);
    }

    /** Reads a value of {@code format}: 1 has no auto top-up (off, nothing requested), 2 appends it. */
    static AccountState read(DataInputView in, int format) throws IOException {
        BigDecimal credits = Codec.readDecimal(in);
        BigDecimal spend = Codec.readDecimal(in);
        int currentMonth = Codec.readZigZagInt(in);
        MonthSpend month = in.readBoolean() ? MonthSpendSerializer.read(in) : null;
        long newestInputMs = in.readLong();
        int blockMask = Codec.readVarInt(in);
        long version = Codec.readZigZagLong(in);
        long versionRun = in.readLong();
        long versionClockMs = in.readLong();
        BigDecimal monthlyHardLimit = Codec.readDecimal(in);
        BigDecimal[] alertThresholds = Codec.readDecimals(in);
        BigDecimal alertedUpTo = Codec.readDecimal(in);
        int alertedMonth = Codec.readZigZagInt(in);
        BigDecimal lastTopUp = Codec.readDecimal(in);
        int topUps = Codec.readZigZagInt(in);
        boolean lowBalanceAlerted = in.readBoolean();
        BigDecimal[] discountAbove = Codec.readDecimals(in);
        BigDecimal[] discountPercent = Codec.readDecimals(in);
        long monthStartTimerMs = Codec.readZigZagLong(in);
        int open = Codec.readVarInt(in);
        List<UsageRollup> openRollups = new ArrayList<>(Math.max(open, 4));
        for (int i = 0; i < open; i++) {
            openRollups.add(UsageRollupSerializer.read(in));
        }
        long oldestRollupHourMs = in.readLong();
        int oldestPastMonth = in.readInt();
        long oldestSeenMs = in.readLong();
        boolean statusBehind = in.readBoolean();
        BigDecimal autoTopUpBelow = null;
        BigDecimal autoTopUpAmount = null;
        boolean topUpRequested = false;
        int topUpRequests = 0;
        if (format >= 2) {
            autoTopUpBelow = Codec.readDecimal(in);
            autoTopUpAmount = Codec.readDecimal(in);
            topUpRequested = in.readBoolean();
            topUpRequests = Codec.readZigZagInt(in);
        }
        return new AccountState(
                new AccountMoney(credits, spend, currentMonth, month, lastTopUp, topUps),
                new AccountTerms(monthlyHardLimit, alertThresholds, discountAbove, discountPercent, autoTopUpBelow,
                        autoTopUpAmount),
                new SentSignals(alertedUpTo, alertedMonth, lowBalanceAlerted, topUpRequested, topUpRequests),
                new Bookkeeping(newestInputMs, blockMask, version, versionRun, versionClockMs, monthStartTimerMs,
                        oldestRollupHourMs, oldestPastMonth, oldestSeenMs, statusBehind),
                new OpenRollups(openRollups));
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
            return read(in, 1);
        }

        @Override
        public TypeSerializerSnapshot<AccountState> snapshotConfiguration() {
            return new Snapshot(1);
        }
    }
}
