package dev.billing.ledger;

/**
 * One account's whole ledger state in this build's terms, on its way from a conversion's reader
 * to {@link LedgerStateWriter}. A Flink POJO whose fields all have Flink's own or this build's
 * explicit serializers (arrays rather than maps, which a POJO field would leave to Kryo).
 */
public class ConvertedAccount {
    public String accountId;
    public AccountState state;
    /** When the account's rows must be written (a flush the restored job runs at once), 0 for none. */
    public long flushAtMs;
    /** The ids in {@code seen-ids}, each remembered as seen at {@link #seenAtMs}. */
    public String[] seenIds;
    public long seenAtMs;
    /** {@code hourly-rollups}: keys and values, in the same order. */
    public String[] rollupKeys;
    public UsageRollup[] rollups;
    /** {@code past-month-spend}: months and spend, in the same order. */
    public int[] pastMonths;
    public MonthSpend[] pastMonthSpend;

    public ConvertedAccount() {}
}
