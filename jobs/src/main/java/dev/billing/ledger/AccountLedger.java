package dev.billing.ledger;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.BlockReason;
import dev.billing.model.DeadLetter;
import dev.billing.model.LedgerInput;
import dev.billing.model.RateCard;
import dev.billing.model.RejectReason;
import dev.billing.model.UsageHourlyRow;
import dev.billing.model.UsageRecord;
import dev.billing.model.UtcMonths;
import dev.billing.pricing.DefaultRateCard;
import dev.billing.pricing.Pricing;
import dev.billing.pricing.RateBook;
import dev.billing.pricing.VolumeDiscount;
import java.math.BigDecimal;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The per-account ledger, keyed by {@code account_id}: prices each usage record at the rate in
 * force at its {@code completed_at} (volume discounts on monthly spend included), drops resent
 * requests and events, grants free credits once, applies purchases, adjustments and limits, keeps
 * spend, balance, monthly spend and hourly rollups, raises alerts, and decides the account's
 * status. The current month is the UTC calendar month of the job's clock; an account rolls over
 * when it next receives input, and only an account blocked by its monthly limit gets a
 * processing-time timer at midnight of the 1st, so the limit lifts without traffic while idle
 * accounts cost nothing at the month start.
 *
 * <p>Every input time is judged against one billing window per account (see
 * {@link LedgerSettings#billingWindow}): older inputs are dead-lettered, ids are remembered for
 * exactly that window. After a restore each account publishes its status again on its first
 * input or timer, with a version above any published before ({@link VersionClock}).
 *
 * <p>Status changes leave at once on the main output (the gateways wait for them); rollup and
 * balance rows are coalesced per account and leave on a processing-time flush, so the database
 * sees one write per changed key per flush interval, not one per record.
 */
public class AccountLedger extends KeyedBroadcastProcessFunction<String, LedgerInput, RateCard, AccountStatus> {
    private static final long serialVersionUID = 1L;
    private static final long HOUR_MS = 3_600_000L;
    /** Open (changed, unflushed) rollups an account's value holds at most; more are written out early. */
    static final int MAX_OPEN_ROLLUPS = 16;

    public static final MapStateDescriptor<String, RateCard> RATE_CARDS =
            new MapStateDescriptor<>("rate-cards", Types.STRING, TypeInformation.of(RateCard.class));
    public static final OutputTag<UsageHourlyRow> ROLLUPS = new OutputTag<>("usage-hourly") {};
    public static final OutputTag<AccountBalanceRow> BALANCES = new OutputTag<>("account-balance") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("ledger-dead-letters") {};
    public static final OutputTag<BillingAlert> ALERTS = new OutputTag<>("billing-alerts") {};

    static final ValueStateDescriptor<AccountState> ACCOUNT =
            new ValueStateDescriptor<>("account", TypeInformation.of(AccountState.class));
    static final MapStateDescriptor<String, Long> SEEN_IDS = new MapStateDescriptor<>("seen-ids", Types.STRING, Types.LONG);
    static final MapStateDescriptor<String, UsageRollup> HOURLY_ROLLUPS =
            new MapStateDescriptor<>("hourly-rollups", Types.STRING, TypeInformation.of(UsageRollup.class));
    /** Spend of months before the current one that had usage, kept within the billing window for late records. */
    static final MapStateDescriptor<Integer, MonthSpend> PAST_MONTHS =
            new MapStateDescriptor<>("past-month-spend", Types.INT, TypeInformation.of(MonthSpend.class));

    private final LedgerSettings settings;

    private transient ValueState<AccountState> account;
    private transient SeenIds seenIds;
    private transient MapState<String, UsageRollup> rollups;
    private transient MapState<Integer, MonthSpend> pastMonths;
    /** Index over the broadcast rate cards, rebuilt lazily after a restore. */
    private transient RateBook rateBook;
    private transient LedgerMetrics metrics;
    private transient VersionClock versions;

    public AccountLedger(LedgerSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) {
        account = getRuntimeContext().getState(ACCOUNT);
        seenIds = new SeenIds(getRuntimeContext().getMapState(SEEN_IDS));
        rollups = getRuntimeContext().getMapState(HOURLY_ROLLUPS);
        pastMonths = getRuntimeContext().getMapState(PAST_MONTHS);
        metrics = new LedgerMetrics(getRuntimeContext().getMetricGroup());
        versions = new VersionClock(getRuntimeContext().getTaskInfo().getAttemptNumber(), settings.versionFloor,
                metrics.versionClockBehind);
    }

    @Override
    public void processElement(LedgerInput input, ReadOnlyContext ctx, Collector<AccountStatus> out) throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (input.usage != null) {
            bill(input.usage, ctx, out, now);
        } else {
            apply(input.event, ctx, out, now);
        }
    }

    private void bill(UsageRecord usage, ReadOnlyContext ctx, Collector<AccountStatus> out, long now) throws Exception {
        RateCard rate = rateBook(ctx).rateFor(usage.accountId, usage.model, usage.completedAtMs);
        if (rate == null) {
            ctx.output(DEAD_LETTERS, new DeadLetter(usage.source, RejectReason.UNKNOWN_MODEL,
                    "no rate for model '" + usage.model + "' at completed_at", now));
            metrics.rejected(RejectReason.UNKNOWN_MODEL);
            return;
        }
        AccountState state = account.value();
        boolean opened = state == null;
        if (opened) {
            state = AccountState.opened(settings.freeCreditsUsd, UtcMonths.of(now));
        } else if (outsideWindow(state, usage.completedAtMs, usage.source, "completed_at", ctx, now)) {
            return;
        }
        String id = SeenIds.ofRequest(usage.requestId);
        if (!opened && seenIds.contains(id)) {
            metrics.duplicatesDropped.inc();
            return;
        }
        int recordMonth = UtcMonths.of(usage.completedAtMs);
        BigDecimal listCost = Pricing.cost(rate, usage.promptTokens, usage.completionTokens);
        // every total the record adds to must still fit its column; checked before the state changes
        MonthSpend month = recordMonth > state.currentMonth ? MonthSpend.zero()
                : recordMonth == state.currentMonth ? state.month : pastMonth(recordMonth);
        BigDecimal charged = VolumeDiscount.charged(month.listUsd, listCost, state.discountAboveUsd, state.discountPercent);
        UsageRollup rollup = rollupFor(state, usage);
        ColumnBounds.Check bounds = new ColumnBounds.Check()
                .plus("account_balance.spend_usd", state.spendUsd, charged)
                .plus("account_balance.balance_usd", state.balanceUsd(), charged.negate())
                .plus("account_balance.month_spend_usd", month.chargedUsd, charged)
                .plus("the month's list spend", month.listUsd, listCost)
                .plus("usage_hourly.cost_usd", rollup.costUsd, charged)
                .plus("usage_hourly.list_cost_usd", rollup.listCostUsd, listCost)
                .plus("usage_hourly.requests", rollup.requests, 1)
                .plus("usage_hourly.prompt_tokens", rollup.promptTokens, usage.promptTokens)
                .plus("usage_hourly.completion_tokens", rollup.completionTokens, usage.completionTokens);
        if (overflows(bounds, usage.source, ctx, now)) {
            return;
        }
        advanceMonth(state, Math.max(UtcMonths.of(now), recordMonth));
        chargeMonth(state, recordMonth, listCost, charged);
        state.spendUsd = state.spendUsd.add(charged);
        state.accepted(usage.completedAtMs, now);
        addToRollup(state, rollup, usage, charged, listCost, ctx);
        seenIds.remember(state, id, usage.completedAtMs);
        metrics.billed(charged);
        settle(state, opened, ctx, out, now);
    }

    /** Adds a record's list cost and charge to its own month. */
    private void chargeMonth(AccountState state, int recordMonth, BigDecimal listCost, BigDecimal charged)
            throws Exception {
        boolean current = recordMonth == state.currentMonth;
        MonthSpend month = current ? state.month : pastMonth(recordMonth);
        month.add(listCost, charged);
        if (!current) {
            putPastMonth(state, recordMonth, month);
        }
    }

    private MonthSpend pastMonth(int month) throws Exception {
        MonthSpend spend = pastMonths.get(month);
        return spend == null ? MonthSpend.zero() : spend;
    }

    /** Dead-letters a message that would take a total past its PostgreSQL column. True when rejected. */
    private boolean overflows(ColumnBounds.Check bounds, dev.billing.model.SourceRecord source, ReadOnlyContext ctx,
            long now) {
        if (bounds.firstOverflow() == null) {
            return false;
        }
        ctx.output(DEAD_LETTERS, new DeadLetter(source, bounds.reason(), bounds.firstOverflow(), now));
        metrics.rejected(bounds.reason());
        return true;
    }

    private void putPastMonth(AccountState state, int month, MonthSpend spend) throws Exception {
        pastMonths.put(month, spend);
        state.oldestPastMonth = Math.min(state.oldestPastMonth, month);
    }

    /**
     * Dead-letters an input older than the account's billing window: its id may be forgotten, and
     * its hourly rollup is final. True when rejected.
     */
    private boolean outsideWindow(AccountState state, long inputTimeMs, dev.billing.model.SourceRecord source,
            String field, ReadOnlyContext ctx, long now) {
        if (inputTimeMs >= state.oldestAcceptedMs(settings.billingWindow.toMillis())) {
            return false;
        }
        ctx.output(DEAD_LETTERS, new DeadLetter(source, RejectReason.TOO_LATE, field + " is more than "
                + settings.billingWindow + " (the billing window) before the account's newest input", now));
        metrics.rejected(RejectReason.TOO_LATE);
        return true;
    }

    /** Moves the account into {@code month} if it is newer; a month without usage leaves nothing behind. */
    private void advanceMonth(AccountState state, int month) throws Exception {
        if (month > state.currentMonth) {
            if (state.month.listUsd.signum() != 0) {
                putPastMonth(state, state.currentMonth, state.month);
            }
            state.currentMonth = month;
            state.month = MonthSpend.zero();
        }
    }

    /**
     * Keeps a processing-time timer on the next month start while, and only while, a monthly limit
     * blocks the account: the one case where the month start must act without input.
     */
    private void scheduleRollover(AccountState state, ReadOnlyContext ctx) {
        long due = (state.blockMask & BlockReason.MONTHLY_LIMIT.bit()) != 0 ? UtcMonths.startMs(state.currentMonth + 1) : 0;
        if (state.rolloverAtMs == due) {
            return;
        }
        if (state.rolloverAtMs != 0 && state.rolloverAtMs != state.flushAtMs) { // a timer is (key, time): keep the flush
            ctx.timerService().deleteProcessingTimeTimer(state.rolloverAtMs);
        }
        if (due != 0) {
            ctx.timerService().registerProcessingTimeTimer(due);
        }
        state.rolloverAtMs = due;
    }

    private void apply(AccountEvent event, ReadOnlyContext ctx, Collector<AccountStatus> out, long now) throws Exception {
        AccountState state = account.value();
        boolean opened = state == null;
        if (opened) {
            state = AccountState.opened(settings.freeCreditsUsd, UtcMonths.of(now));
        } else if (outsideWindow(state, event.occurredAtMs, event.source, "occurred_at", ctx, now)) {
            return;
        }
        String id = SeenIds.ofEvent(event.eventId);
        if (!opened && seenIds.contains(id)) {
            metrics.duplicatesDropped.inc();
            return;
        }
        if ((event.type == dev.billing.model.AccountEventType.CREDITS_PURCHASED
                || event.type == dev.billing.model.AccountEventType.CREDITS_ADJUSTED)
                && overflows(new ColumnBounds.Check()
                        .plus("account_balance.credits_usd", state.creditsUsd, event.amountUsd)
                        .plus("account_balance.balance_usd", state.balanceUsd(), event.amountUsd), event.source, ctx, now)) {
            return;
        }
        advanceMonth(state, UtcMonths.of(now));
        switch (event.type) {
            case CREDITS_PURCHASED:
                state.topUp(event.amountUsd);
                break;
            case CREDITS_ADJUSTED:
                state.creditsUsd = state.creditsUsd.add(event.amountUsd);
                break;
            case LIMITS_SET:
                state.monthlyHardLimitUsd = event.monthlyHardLimitUsd;
                state.alertThresholdsUsd = event.alertThresholdsUsd;
                break;
            case VOLUME_DISCOUNTS_SET:
                state.discountAboveUsd = event.discountAboveUsd;
                state.discountPercent = event.discountPercent;
                break;
            case ACCOUNT_OPENED:
            default:
                break;
        }
        state.accepted(event.occurredAtMs, now);
        seenIds.remember(state, id, event.occurredAtMs);
        settle(state, opened, ctx, out, now);
    }

    /**
     * Publishes due alerts and the status when it changed, when the account is new, or when it is
     * the account's first in this run (after a restore the topic may hold a status the state no
     * longer has); stores the state, schedules a flush and, under a monthly block, the rollover.
     */
    private void settle(AccountState state, boolean opened, ReadOnlyContext ctx, Collector<AccountStatus> out, long now)
            throws Exception {
        for (BillingAlert alert : SpendAlerts.due(ctx.getCurrentKey(), state, settings.lowBalanceFraction, now)) {
            ctx.output(ALERTS, alert);
            metrics.alertsRaised.inc();
        }
        int mask = state.evaluateBlockMask();
        if (opened || mask != state.blockMask || versions.firstInRun(state)) {
            metrics.statusChanged(opened ? 0 : state.blockMask, mask);
            state.blockMask = mask;
            publishStatus(state, ctx.getCurrentKey(), out, now);
        }
        scheduleRollover(state, ctx);
        if (state.flushAtMs == 0) {
            state.flushAtMs = now + settings.flushInterval.toMillis();
            ctx.timerService().registerProcessingTimeTimer(state.flushAtMs);
        }
        account.update(state);
    }

    private void publishStatus(AccountState state, String accountId, Collector<AccountStatus> out, long now) {
        versions.next(state, now);
        out.collect(statusOf(accountId, state, now));
    }

    /**
     * The (model, hour) rollup a record adds to. A rollup already changed in this flush interval is
     * in the account's value ({@link AccountState#openRollups}) and costs no state access; otherwise
     * it is read once from {@code hourly-rollups} (or starts empty) and joins the open ones in
     * {@link #addToRollup} until the flush writes it back.
     */
    private UsageRollup rollupFor(AccountState state, UsageRecord usage) throws Exception {
        long hour = Math.floorDiv(usage.completedAtMs, HOUR_MS) * HOUR_MS;
        for (UsageRollup open : state.openRollups) {
            if (open.hourStartMs == hour && open.model.equals(usage.model)) {
                return open;
            }
        }
        UsageRollup stored = rollups.get(rollupKey(hour, usage.model));
        return stored != null ? stored : UsageRollup.empty(usage.model, hour);
    }

    private void addToRollup(AccountState state, UsageRollup rollup, UsageRecord usage, BigDecimal cost,
            BigDecimal listCost, ReadOnlyContext ctx) throws Exception {
        if (!state.openRollups.contains(rollup)) {
            if (state.openRollups.size() >= MAX_OPEN_ROLLUPS) {
                writeOpenRollups(state, ctx, ctx.getCurrentKey()); // a burst of late records: keep the value small
            }
            state.openRollups.add(rollup);
            state.oldestRollupHourMs = Math.min(state.oldestRollupHourMs, rollup.hourStartMs);
        }
        rollup.add(usage.promptTokens, usage.completionTokens, cost, listCost);
    }

    private static String rollupKey(long hourStartMs, String model) {
        return hourStartMs + "/" + model;
    }

    /** Emits the rows of the rollups changed since the last flush and stores them in {@code hourly-rollups}. */
    private void writeOpenRollups(AccountState state, ReadOnlyContext ctx, String accountId) throws Exception {
        if (state.openRollups.isEmpty()) {
            return;
        }
        long version = versions.next(state, ctx.timerService().currentProcessingTime());
        for (UsageRollup rollup : state.openRollups) {
            ctx.output(ROLLUPS, rowOf(accountId, rollup, version));
            metrics.rollupRowsFlushed.inc();
            rollups.put(rollupKey(rollup.hourStartMs, rollup.model), rollup);
        }
        state.openRollups.clear();
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AccountStatus> out) throws Exception {
        AccountState state = account.value();
        if (state == null) {
            return;
        }
        // the clock, not the timer's time: a timer overdue after a restore, or fired at the end of
        // a bounded replay, moves the account straight to the month the clock is in
        long now = ctx.timerService().currentProcessingTime();
        if (versions.firstInRun(state)) {
            // restored: a timer may be the account's only activity in this run
            publishStatus(state, ctx.getCurrentKey(), out, now);
        }
        if (timestamp == state.flushAtMs) {
            flush(state, ctx, now);
        }
        if (timestamp == state.rolloverAtMs) {
            state.rolloverAtMs = 0;
            advanceMonth(state, UtcMonths.of(now));
            settle(state, false, ctx, out, now);
        }
        account.update(state);
    }

    /**
     * Writes out the account's changed rollup rows and its balance row; drops what is past the
     * horizon, scanning the account's rollups and past months only when the oldest of them is.
     */
    private void flush(AccountState state, OnTimerContext ctx, long now) throws Exception {
        String accountId = ctx.getCurrentKey();
        writeOpenRollups(state, ctx, accountId);
        long horizon = state.oldestAcceptedMs(settings.billingWindow.toMillis());
        seenIds.expire(state, horizon, settings.billingWindow.toMillis() / 8);
        if (horizon != Long.MIN_VALUE && state.oldestRollupHourMs != Long.MAX_VALUE
                && state.oldestRollupHourMs + HOUR_MS <= horizon) {
            long oldest = Long.MAX_VALUE;
            var it = rollups.iterator();
            while (it.hasNext()) {
                UsageRollup rollup = it.next().getValue();
                if (rollup.hourStartMs + HOUR_MS <= horizon) {
                    it.remove(); // no acceptable record can land in this hour any more
                } else {
                    oldest = Math.min(oldest, rollup.hourStartMs);
                }
            }
            state.oldestRollupHourMs = oldest;
        }
        if (horizon != Long.MIN_VALUE && state.oldestPastMonth < UtcMonths.of(horizon)) {
            int oldestMonth = UtcMonths.of(horizon);
            int oldest = Integer.MAX_VALUE;
            var months = pastMonths.iterator();
            while (months.hasNext()) {
                int month = months.next().getKey();
                if (month < oldestMonth) {
                    months.remove();
                } else {
                    oldest = Math.min(oldest, month);
                }
            }
            state.oldestPastMonth = oldest;
        }
        ctx.output(BALANCES, balanceOf(accountId, state, now, versions.next(state, now)));
        metrics.balanceRowsFlushed.inc();
        state.flushAtMs = 0;
    }

    @Override
    public void processBroadcastElement(RateCard card, Context ctx, Collector<AccountStatus> out) throws Exception {
        ctx.getBroadcastState(RATE_CARDS).put(card.id(), card);
        if (rateBook != null) {
            rateBook.add(card);
        }
    }

    private RateBook rateBook(ReadOnlyContext ctx) throws Exception {
        if (rateBook == null) {
            RateBook book = new RateBook();
            DefaultRateCard.load().forEach(book::add);
            ReadOnlyBroadcastState<String, RateCard> cards = ctx.getBroadcastState(RATE_CARDS);
            for (Map.Entry<String, RateCard> e : cards.immutableEntries()) {
                book.add(e.getValue());
            }
            rateBook = book;
        }
        return rateBook;
    }

    static AccountStatus statusOf(String accountId, AccountState state, long now) {
        AccountStatus s = new AccountStatus();
        s.accountId = accountId;
        s.status = state.blockMask == 0 ? AccountStatus.ACTIVE : AccountStatus.BLOCKED;
        BlockReason first = BlockReason.first(state.blockMask);
        s.reason = first == null ? null : first.name();
        s.reasons = BlockReason.names(state.blockMask);
        s.balanceUsd = state.balanceUsd();
        s.monthSpendUsd = state.month.chargedUsd;
        s.version = state.version;
        s.asOfMs = now;
        return s;
    }

    private static UsageHourlyRow rowOf(String accountId, UsageRollup rollup, long version) {
        UsageHourlyRow row = new UsageHourlyRow();
        row.accountId = accountId;
        row.model = rollup.model;
        row.hourStartMs = rollup.hourStartMs;
        row.requests = rollup.requests;
        row.promptTokens = rollup.promptTokens;
        row.completionTokens = rollup.completionTokens;
        row.costUsd = rollup.costUsd;
        row.listCostUsd = rollup.listCostUsd;
        row.version = version;
        return row;
    }

    private static AccountBalanceRow balanceOf(String accountId, AccountState state, long now, long version) {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = accountId;
        row.creditsUsd = state.creditsUsd;
        row.spendUsd = state.spendUsd;
        row.balanceUsd = state.balanceUsd();
        row.status = state.blockMask == 0 ? AccountStatus.ACTIVE : AccountStatus.BLOCKED;
        row.monthSpendUsd = state.month.chargedUsd;
        row.spendMonthStartMs = UtcMonths.startMs(state.currentMonth);
        row.updatedAtMs = now;
        row.version = version;
        return row;
    }
}
