package dev.billing.serde;

import dev.billing.ledger.AccountMoney;
import dev.billing.ledger.AccountState;
import dev.billing.ledger.AccountTerms;
import dev.billing.ledger.Bookkeeping;
import dev.billing.ledger.MonthSpend;
import dev.billing.ledger.OpenRollups;
import dev.billing.ledger.SentSignals;
import dev.billing.ledger.UsageRollup;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link AccountState} in state, field by field: money as exact decimals (scale and unscaled
 * value), integers as varints, no reflection. Format 1 (release 0.1) holds the parts' fields
 * interleaved in the order they have always had; format 2 appends the auto top-up's four (level,
 * amount, request outstanding, request count), which read from format 1 as off and never requested;
 * format 3 appends the position of the newest usage input taken, which reads from earlier formats as
 * none (-1): the account's next usage input sets it.
 */
public final class AccountStateFormat extends VersionedFormat<AccountState> {
    private static final long serialVersionUID = 1L;
    public static final AccountStateFormat INSTANCE = new AccountStateFormat();
    /** The format of the month and the open rollups inside: a new one of theirs needs a new one here. */
    private static final int NESTED_FORMAT = 1;

    public AccountStateFormat() {
        super(AccountState.class, 1, 3);
    }

    /** Flink's type information for {@link AccountState}. */
    public static final class TypeInfoFactory extends VersionedTypeInfoFactory<AccountState> {
        public TypeInfoFactory() {
            super(INSTANCE);
        }
    }

    @Override
    protected void write(AccountState s, DataOutputView out, int format) throws IOException {
        AccountMoney money = s.money();
        AccountTerms terms = s.terms();
        SentSignals sent = s.sent();
        Bookkeeping book = s.bookkeeping();
        Codec.writeDecimal(out, money.creditsUsd());
        Codec.writeDecimal(out, money.spendUsd());
        Codec.writeZigZagInt(out, money.currentMonth());
        out.writeBoolean(money.month() != null);
        if (money.month() != null) {
            MonthSpendFormat.INSTANCE.write(money.month(), out, NESTED_FORMAT);
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
        Codec.writeVarInt(out, s.openRollups().size());
        for (UsageRollup r : s.openRollups().all()) {
            UsageRollupFormat.INSTANCE.write(r, out, NESTED_FORMAT);
        }
        out.writeLong(book.oldestRollupHourMs());
        out.writeInt(book.oldestPastMonth());
        out.writeLong(book.oldestSeenMs());
        out.writeBoolean(book.statusBehind());
        if (format >= 2) {
            Codec.writeDecimal(out, terms.autoTopUpBelowUsd());
            Codec.writeDecimal(out, terms.autoTopUpAmountUsd());
            out.writeBoolean(sent.topUpRequested());
            Codec.writeZigZagInt(out, sent.topUpRequests());
        }
        if (format >= 3) {
            Codec.writeZigZagInt(out, book.usagePartition());
            Codec.writeZigZagLong(out, book.usageOffset());
        }
    }

    @Override
    protected AccountState read(DataInputView in, int format) throws IOException {
        BigDecimal credits = Codec.readDecimal(in);
        BigDecimal spend = Codec.readDecimal(in);
        int currentMonth = Codec.readZigZagInt(in);
        MonthSpend month = in.readBoolean() ? MonthSpendFormat.INSTANCE.read(in, NESTED_FORMAT) : null;
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
            openRollups.add(UsageRollupFormat.INSTANCE.read(in, NESTED_FORMAT));
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
        int usagePartition = -1;
        long usageOffset = -1;
        if (format >= 3) {
            usagePartition = Codec.readZigZagInt(in);
            usageOffset = Codec.readZigZagLong(in);
        }
        return new AccountState(
                new AccountMoney(credits, spend, currentMonth, month, lastTopUp, topUps),
                new AccountTerms(monthlyHardLimit, alertThresholds, discountAbove, discountPercent, autoTopUpBelow,
                        autoTopUpAmount),
                new SentSignals(alertedUpTo, alertedMonth, lowBalanceAlerted, topUpRequested, topUpRequests),
                new Bookkeeping(newestInputMs, blockMask, version, versionRun, versionClockMs, monthStartTimerMs,
                        oldestRollupHourMs, oldestPastMonth, oldestSeenMs, statusBehind, usagePartition, usageOffset),
                new OpenRollups(openRollups));
    }
}
