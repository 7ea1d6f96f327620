package dev.billing.convert;

import dev.billing.ledger.AccountMoney;
import dev.billing.ledger.AccountState;
import dev.billing.ledger.AccountTerms;
import dev.billing.ledger.Bookkeeping;
import dev.billing.ledger.MonthSpend;
import dev.billing.ledger.OpenRollups;
import dev.billing.ledger.SentSignals;
import dev.billing.ledger.UsageRollup;
import dev.billing.serde.Codec;
import dev.billing.serde.MonthSpendFormat;
import dev.billing.serde.UsageRollupFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputView;

/**
 * One account as release 0.1 (ebd4a31) kept it in the ledger's {@code account} state, read from its
 * own layout and already in this build's {@link AccountState}; what release 0.1 kept that this build
 * does not, its two processing-time timers, is beside it.
 *
 * <p>The layout is release 0.1's {@code AccountStateSerializer}: the fields of format 1 without the
 * version run and version clock (after the status version), with a flush and a rollover timer where
 * format 1 has the month-start timer, and without the oldest remembered id and the status-behind
 * flag at the end. The month and the open rollups inside are their format 1, byte for byte.
 *
 * @param state the account in this build's terms: never versioned in this build's runs (so its first
 *     status after the restore jumps above release 0.1's last version), no month-start timer yet, no
 *     remembered id yet (the conversion adds both), auto top-up off
 * @param flushAtMs when release 0.1 would have written the account's rows, 0 when nothing was due:
 *     its open rollups and balance row are not in PostgreSQL yet
 * @param rolloverAtMs release 0.1's month-rollover timer (every account held one)
 */
public record Release01Account(AccountState state, long flushAtMs, long rolloverAtMs) {
    private static final int NESTED_FORMAT = 1;

    static Release01Account read(DataInputView in) throws IOException {
        TypeSerializer<MonthSpend> months = MonthSpendFormat.INSTANCE.serializer(NESTED_FORMAT);
        TypeSerializer<UsageRollup> rollups = UsageRollupFormat.INSTANCE.serializer(NESTED_FORMAT);
        var credits = Codec.readDecimal(in);
        var spend = Codec.readDecimal(in);
        int currentMonth = Codec.readZigZagInt(in);
        MonthSpend month = in.readBoolean() ? months.deserialize(in) : null;
        long maxCompletedAtMs = in.readLong();
        int blockMask = Codec.readVarInt(in);
        long statusVersion = Codec.readZigZagLong(in);
        var monthlyHardLimit = Codec.readDecimal(in);
        var alertThresholds = Codec.readDecimals(in);
        var alertedUpTo = Codec.readDecimal(in);
        int alertedMonth = Codec.readZigZagInt(in);
        var lastTopUp = Codec.readDecimal(in);
        int topUps = Codec.readZigZagInt(in);
        boolean lowBalanceAlerted = in.readBoolean();
        var discountAbove = Codec.readDecimals(in);
        var discountPercent = Codec.readDecimals(in);
        long flushAtMs = Codec.readZigZagLong(in);
        long rolloverAtMs = Codec.readZigZagLong(in);
        int open = Codec.readVarInt(in);
        List<UsageRollup> openRollups = new ArrayList<>(Math.max(open, 4));
        for (int i = 0; i < open; i++) {
            openRollups.add(rollups.deserialize(in));
        }
        long oldestRollupHourMs = in.readLong();
        int oldestPastMonth = in.readInt();
        // release 0.1's billing window ran from its newest completed_at; this build's from its newest
        // input time, which starts there. Version run 0 is no run of this build's (VersionClock); the
        // clock reading of the last version is the version itself, which release 0.1 took as
        // max(previous + 1, clock in µs).
        Bookkeeping book = new Bookkeeping(maxCompletedAtMs, blockMask, statusVersion, 0, statusVersion / 1000, 0,
                oldestRollupHourMs, oldestPastMonth, Long.MAX_VALUE, false, -1, -1);
        AccountState state = new AccountState(
                new AccountMoney(credits, spend, currentMonth, month, lastTopUp, topUps),
                new AccountTerms(monthlyHardLimit, alertThresholds, discountAbove, discountPercent, null, null),
                new SentSignals(alertedUpTo, alertedMonth, lowBalanceAlerted, false, 0),
                book, new OpenRollups(openRollups));
        return new Release01Account(state, flushAtMs, rolloverAtMs);
    }
}
