package dev.billing.serde;

import dev.billing.ledger.UsageHourlyRow;
import java.io.IOException;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link UsageHourlyRow} as the upsert sink holds it in its checkpointed state while PostgreSQL is
 * behind: format 1, the account, the version, then the totals in {@link UsageRollupFormat}'s current format.
 */
public final class UsageHourlyRowFormat extends VersionedFormat<UsageHourlyRow> {
    private static final long serialVersionUID = 1L;
    public static final UsageHourlyRowFormat INSTANCE = new UsageHourlyRowFormat();

    public UsageHourlyRowFormat() {
        super(UsageHourlyRow.class, 1, 1);
    }

    @Override
    protected void write(UsageHourlyRow row, DataOutputView out, int format) throws IOException {
        Codec.writeString(out, row.accountId);
        Codec.writeZigZagLong(out, row.version);
        UsageRollupFormat.INSTANCE.write(row.totals, out, 1);
    }

    @Override
    protected UsageHourlyRow read(DataInputView in, int format) throws IOException {
        UsageHourlyRow row = new UsageHourlyRow();
        row.accountId = Codec.readString(in);
        row.version = Codec.readZigZagLong(in);
        row.totals = UsageRollupFormat.INSTANCE.read(in, 1);
        return row;
    }
}
