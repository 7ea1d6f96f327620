package dev.billing.convert;

import dev.billing.ledger.AccountState;
import dev.billing.ledger.Bookkeeping;
import dev.billing.ledger.ConvertedAccount;
import dev.billing.ledger.MonthSpend;
import dev.billing.ledger.UsageRollup;
import dev.billing.model.BlockReason;
import dev.billing.model.UtcMonths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

/**
 * Reads one account of release 0.1's ledger state and hands it on in this build's terms:
 *
 * <ul>
 *   <li>{@code account}: release 0.1's layout ({@link Release01Account}); its flush timer becomes a
 *       flush the restored job runs at once (the open rollups and the balance row release 0.1 had not
 *       written yet, and a status with the balance), its month-rollover timer the month-start timer
 *       this build keeps only while a monthly limit blocks the account;
 *   <li>{@code seen-ids}: release 0.1 kept booleans under a processing-time TTL (each id forgotten a
 *       retention after it was written); this build keeps the time each id was seen, and forgets an
 *       id only once an input a billing window newer has arrived, which the job's clock caps. Every id
 *       is read, expired or not (the TTL is not applied: an id is forgotten too late rather than too
 *       early) and counts as seen at the conversion's time, so it is remembered at least a billing
 *       window from now;
 *   <li>{@code hourly-rollups} and {@code past-month-spend}: release 0.1 wrote them in this build's
 *       format 1, and they are carried over as they are.
 * </ul>
 */
final class Release01LedgerReader extends KeyedStateReaderFunction<String, ConvertedAccount> {
    private static final long serialVersionUID = 1L;

    private final long seenAtMs;

    private transient ValueState<Release01Account> account;
    private transient MapState<String, Boolean> seenIds;
    private transient MapState<String, UsageRollup> rollups;
    private transient MapState<Integer, MonthSpend> pastMonths;

    Release01LedgerReader(long seenAtMs) {
        this.seenAtMs = seenAtMs;
    }

    @Override
    public void open(OpenContext context) {
        account = getRuntimeContext().getState(new ValueStateDescriptor<>("account", Release01AccountSerializer.INSTANCE));
        MapStateDescriptor<String, Boolean> seen = new MapStateDescriptor<>("seen-ids", Types.STRING, Types.BOOLEAN);
        // release 0.1's state is under a TTL, so it is read under one; its length does not matter
        // here, since expired ids are returned as long as they are stored and nothing cleans them up
        seen.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofDays(1))
                .setStateVisibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)
                .disableCleanupInBackground()
                .build());
        seenIds = getRuntimeContext().getMapState(seen);
        rollups = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("hourly-rollups", Types.STRING, TypeInformation.of(UsageRollup.class)));
        pastMonths = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("past-month-spend", Types.INT, TypeInformation.of(MonthSpend.class)));
    }

    @Override
    public void readKey(String accountId, Context ctx, Collector<ConvertedAccount> out) throws Exception {
        Release01Account old = account.value();
        if (old == null) {
            throw new IllegalStateException("account " + accountId + " has ids, rollups or months but no account state");
        }
        ConvertedAccount a = new ConvertedAccount();
        a.accountId = accountId;
        a.flushAtMs = old.flushAtMs();
        List<String> ids = new ArrayList<>();
        seenIds.keys().forEach(ids::add);
        a.seenIds = ids.toArray(new String[0]);
        a.seenAtMs = seenAtMs;
        List<Map.Entry<String, UsageRollup>> r = new ArrayList<>();
        rollups.entries().forEach(r::add);
        a.rollupKeys = r.stream().map(Map.Entry::getKey).toArray(String[]::new);
        a.rollups = r.stream().map(Map.Entry::getValue).toArray(UsageRollup[]::new);
        List<Map.Entry<Integer, MonthSpend>> m = new ArrayList<>();
        pastMonths.entries().forEach(m::add);
        a.pastMonths = m.stream().mapToInt(Map.Entry::getKey).toArray();
        a.pastMonthSpend = m.stream().map(Map.Entry::getValue).toArray(MonthSpend[]::new);
        a.state = translated(old, ids.isEmpty());
        out.collect(a);
    }

    /** The account with the bookkeeping this build keeps, where it differs from release 0.1's. */
    AccountState translated(Release01Account old, boolean noIds) {
        AccountState s = old.state();
        Bookkeeping b = s.bookkeeping();
        // what this build's settle would keep: a timer on the next month start only while a monthly limit blocks
        long monthStart = (b.blockMask() & BlockReason.MONTHLY_LIMIT.bit()) != 0
                ? UtcMonths.startMs(s.money().currentMonth() + 1) : 0;
        Bookkeeping book = new Bookkeeping(b.newestInputMs(), b.blockMask(), b.version(), b.versionRun(),
                b.versionClockMs(), monthStart, b.oldestRollupHourMs(), b.oldestPastMonth(),
                noIds ? Long.MAX_VALUE : seenAtMs,
                // the flush release 0.1 owed publishes the balance (its statuses went out only when the status changed)
                old.flushAtMs() != 0, b.usagePartition(), b.usageOffset());
        return new AccountState(s.money(), s.terms(), s.sent(), book, s.openRollups());
    }
}
