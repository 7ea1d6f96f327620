package dev.billing.convert;

import dev.billing.ledger.AccountLedger;
import dev.billing.ledger.AccountState;
import dev.billing.ledger.MonthSpend;
import dev.billing.ledger.UsageRollup;
import java.util.Iterator;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

/** Adds up one account of a converted savepoint, read as the restored ledger reads it (its own descriptors). */
final class ConvertedLedgerTotals extends KeyedStateReaderFunction<String, LedgerTotals> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<AccountState> account;
    private transient MapState<String, Long> seenIds;
    private transient MapState<String, UsageRollup> rollups;
    private transient MapState<Integer, MonthSpend> pastMonths;

    @Override
    public void open(OpenContext context) {
        account = getRuntimeContext().getState(AccountLedger.ACCOUNT);
        seenIds = getRuntimeContext().getMapState(AccountLedger.SEEN_IDS);
        rollups = getRuntimeContext().getMapState(AccountLedger.HOURLY_ROLLUPS);
        pastMonths = getRuntimeContext().getMapState(AccountLedger.PAST_MONTHS);
    }

    @Override
    public void readKey(String accountId, Context ctx, Collector<LedgerTotals> out) throws Exception {
        AccountState s = account.value();
        if (s == null) {
            throw new IllegalStateException("account " + accountId + " has ids, rollups or months but no account state");
        }
        out.collect(LedgerTotals.of(s.money().creditsUsd(), s.money().spendUsd(), count(seenIds.keys().iterator()),
                count(rollups.keys().iterator()), s.openRollups().size(), count(pastMonths.keys().iterator())));
    }

    private static long count(Iterator<?> it) {
        long n = 0;
        for (; it.hasNext(); it.next()) {
            n++;
        }
        return n;
    }
}
