package dev.billing.serde;

import dev.billing.model.AccountBalanceRow;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link AccountBalanceRow} as the upsert sink holds it in its checkpointed state while PostgreSQL
 * is behind: format 1, money as exact decimals.
 */
public final class AccountBalanceRowFormat extends VersionedFormat<AccountBalanceRow> {
    private static final long serialVersionUID = 1L;
    public static final AccountBalanceRowFormat INSTANCE = new AccountBalanceRowFormat();

    public AccountBalanceRowFormat() {
        super(AccountBalanceRow.class, 1, 1);
    }

    @Override
    protected void write(AccountBalanceRow row, DataOutputView out, int format) throws IOException {
        Codec.writeString(out, row.accountId);
        Codec.writeDecimal(out, row.creditsUsd);
        Codec.writeDecimal(out, row.spendUsd);
        Codec.writeDecimal(out, row.balanceUsd);
        Codec.writeString(out, row.status);
        Codec.writeDecimal(out, row.monthSpendUsd);
        Codec.writeZigZagLong(out, row.spendMonthStartMs);
        Codec.writeDecimal(out, row.monthlyHardLimitUsd);
        Codec.writeDecimals(out, row.alertThresholdsUsd);
        Codec.writeDecimal(out, row.freeCreditsLeftUsd);
        Codec.writeZigZagLong(out, row.updatedAtMs);
        Codec.writeZigZagLong(out, row.version);
    }

    @Override
    protected AccountBalanceRow read(DataInputView in, int format) throws IOException {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = Codec.readString(in);
        row.creditsUsd = Codec.readDecimal(in);
        row.spendUsd = Codec.readDecimal(in);
        row.balanceUsd = Codec.readDecimal(in);
        row.status = Codec.readString(in);
        row.monthSpendUsd = Codec.readDecimal(in);
        row.spendMonthStartMs = Codec.readZigZagLong(in);
        row.monthlyHardLimitUsd = Codec.readDecimal(in);
        row.alertThresholdsUsd = Codec.readDecimals(in);
        row.freeCreditsLeftUsd = Codec.readDecimal(in);
        row.updatedAtMs = Codec.readZigZagLong(in);
        row.version = Codec.readZigZagLong(in);
        return row;
    }
}
