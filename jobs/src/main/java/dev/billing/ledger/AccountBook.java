package dev.billing.ledger;

import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.BillingAlert;
import dev.billing.model.BlockReason;
import dev.billing.model.DeadLetter;
import dev.billing.model.LedgerInput;
import dev.billing.model.PaymentRequest;
import dev.billing.model.RateCard;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import dev.billing.model.UtcMonths;
import dev.billing.pricing.RateBook;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;

/**
 * The billing rules of one account, applied to its keyed state (the caller has made it the current
 * key): drops resends, grants free credits once, prices usage at the rate in force at its
 * {@code completed_at} (volume discounts on the month's spend included), applies purchases,
 * adjustments and limits, keeps spend, balance, monthly spend and hourly rollups, raises alerts,
 * and decides the account's status.
 *
 * <p>An account's inputs come as a bundle: its value is read once, every input applied in order,
 * the status decided once and the value written once. Every input time is judged against one
 * billing window (see {@link LedgerSettings#billingWindow}). After a restore, an account publishes
 * its status again the first time it is touched, with a version above any published before
 * ({@link VersionClock}).
 */
final class AccountBook {
    /** The processing-time timer of an account's next month start, held only while a monthly limit blocks it. */
    interface MonthStartTimer {
        void register(long timeMs) throws Exception;

        void delete(long timeMs) throws Exception;
    }

    private final LedgerSettings settings;
    private final ValueState<AccountState> account;
    private final SeenIds seenIds;
    private final HourlyRollups rollups;
    private final PastMonths pastMonths;
    private final RateBook rates;
    private final VersionClock versions;
    private final LedgerMetrics metrics;
    private final LedgerOutput out;
    private final MonthStartTimer monthStart;

    AccountBook(LedgerSettings settings, ValueState<AccountState> account, SeenIds seenIds, HourlyRollups rollups,
            PastMonths pastMonths, RateBook rates, VersionClock versions, LedgerMetrics metrics, LedgerOutput out,
            MonthStartTimer monthStart) {
        this.settings = settings;
        this.account = account;
        this.seenIds = seenIds;
        this.rollups = rollups;
        this.pastMonths = pastMonths;
        this.rates = rates;
        this.versions = versions;
        this.metrics = metrics;
        this.out = out;
        this.monthStart = monthStart;
    }

    /** Applies an account's inputs in their order. True when its state changed (its rows need a flush). */
    boolean apply(String accountId, List<LedgerInput> inputs, long now) throws Exception {
        AccountState stored = account.value();
        AccountState state = stored;
        boolean isNew = stored == null;
        for (LedgerInput input : inputs) {
            AccountState target = state != null ? state : AccountState.opened(settings.freeCreditsUsd, UtcMonths.of(now));
            boolean accepted = input.usage != null
                    ? bill(accountId, target, isNew, input.usage, now)
                    : apply(target, isNew, input.event, now);
            if (input.usage != null && input.usage.source != null) {
                // billed, a resend or rejected: a gateway waiting for this record's cost in a balance stops waiting
                target.bookkeeping().usageTaken(input.usage.source.partition, input.usage.source.offset);
            }
            if (accepted) {
                state = target;
                for (BillingAlert alert : SpendAlerts.due(accountId, state, settings.lowBalanceFraction, now)) {
                    out.alert(alert);
                    metrics.alertsRaised.inc();
                }
                PaymentRequest topUp = AutoTopUp.due(accountId, state, now);
                if (topUp != null) {
                    out.paymentRequest(topUp);
                    metrics.topUpsRequested.inc();
                }
            }
        }
        if (state == null) {
            return false;
        }
        seenIds.store();
        settle(accountId, state, isNew, now);
        return true;
    }

    /** Bills a usage record; {@code isNew}: the account has nothing in state yet (no ids to look up). */
    private boolean bill(String accountId, AccountState state, boolean isNew, UsageRecord usage, long now)
            throws Exception {
        RateCard rate = rates.rateFor(usage.accountId, usage.model, usage.completedAtMs);
        if (rate == null) {
            reject(usage.source, RejectReason.UNKNOWN_MODEL, "no rate for model '" + usage.model + "' at completed_at", now);
            return false;
        }
        if (outsideWindow(state, usage.completedAtMs, usage.source, "completed_at", now)) {
            return false;
        }
        String id = SeenIds.ofRequest(usage.requestId);
        if (seenIds.seen(id, usage.completedAtMs, isNew)) {
            metrics.duplicatesDropped.inc();
            return false;
        }
        // the account turns to a month by the clock, never by a record: one stamped ahead of the clock
        // (within --max-future-skew) counts in its own month, kept apart until the clock gets there,
        // and does not lift a monthly-limit block early
        pastMonths.advance(state, UtcMonths.of(now));
        int recordMonth = UtcMonths.of(usage.completedAtMs);
        MonthSpend month = pastMonths.of(state, recordMonth);
        UsageCharge charge = UsageCharge.price(rate, usage, month, state.terms());
        UsageRollup rollup = rollups.find(state, usage);
        // every total the record adds to must still fit its column; checked before the state changes
        if (overflows(charge.bounds(state.money(), month, rollup), usage.source, now)) {
            return false;
        }
        charge.chargeTo(state.money(), month, rollup);
        pastMonths.store(state, recordMonth, month);
        state.bookkeeping().accepted(usage.completedAtMs, now);
        if (!rollups.open(state, rollup)) {
            writeOpenRollups(accountId, state, now); // a burst of late records: keep the value small
            rollups.open(state, rollup);
        }
        seenIds.remember(state, id, usage.completedAtMs);
        metrics.billed(charge.chargedUsd);
        return true;
    }

    private boolean apply(AccountState state, boolean isNew, AccountEvent event, long now) throws Exception {
        if (outsideWindow(state, event.occurredAtMs, event.source, "occurred_at", now)) {
            return false;
        }
        String id = SeenIds.ofEvent(event.eventId);
        if (seenIds.seen(id, event.occurredAtMs, isNew)) {
            metrics.duplicatesDropped.inc();
            return false;
        }
        boolean credits = event.type == AccountEventType.CREDITS_PURCHASED || event.type == AccountEventType.CREDITS_ADJUSTED;
        if (credits && overflows(new ColumnBounds.Check()
                .plus("account_balance.credits_usd", state.money().creditsUsd(), event.amountUsd)
                .plus("account_balance.balance_usd", state.balanceUsd(), event.amountUsd), event.source, now)) {
            return false;
        }
        pastMonths.advance(state, UtcMonths.of(now));
        switch (event.type) {
            case CREDITS_PURCHASED:
                state.topUp(event.amountUsd);
                break;
            case CREDITS_ADJUSTED:
                state.money().adjust(event.amountUsd);
                break;
            case LIMITS_SET:
                state.terms().setLimits(event.monthlyHardLimitUsd, event.alertThresholdsUsd);
                break;
            case VOLUME_DISCOUNTS_SET:
                state.terms().setVolumeDiscounts(event.discountAboveUsd, event.discountPercent);
                break;
            case AUTO_TOPUP_SET:
                AutoTopUp.set(state, event);
                break;
            case ACCOUNT_OPENED:
            default:
                break;
        }
        state.bookkeeping().accepted(event.occurredAtMs, now);
        seenIds.remember(state, id, event.occurredAtMs);
        return true;
    }

    /**
     * Dead-letters an input older than the account's billing window: its id may be forgotten, and
     * its hourly rollup is final. True when rejected.
     */
    private boolean outsideWindow(AccountState state, long inputTimeMs, SourceRecord source, String field, long now) {
        if (inputTimeMs >= state.bookkeeping().oldestAcceptedMs(settings.billingWindow.toMillis())) {
            return false;
        }
        reject(source, RejectReason.TOO_LATE, field + " " + java.time.Instant.ofEpochMilli(inputTimeMs) + " is more than "
                + settings.billingWindow + " (the billing window) before the account's newest input, "
                + java.time.Instant.ofEpochMilli(state.bookkeeping().newestInputMs()), now);
        return true;
    }

    /** Dead-letters a message that would take a total past its PostgreSQL column. True when rejected. */
    private boolean overflows(ColumnBounds.Check bounds, SourceRecord source, long now) {
        if (bounds.firstOverflow() == null) {
            return false;
        }
        reject(source, bounds.reason(), bounds.firstOverflow(), now);
        return true;
    }

    private void reject(SourceRecord source, RejectReason reason, String detail, long now) {
        out.deadLetter(new DeadLetter(source, reason, detail, now));
        metrics.rejected(reason);
    }

    /**
     * Publishes the status at once when it changed, when the account is new, or when it is the
     * account's first in this run (after a restore the topic may hold a status the state no longer
     * has); otherwise the next flush publishes the moved balance. Keeps the month-start timer;
     * stores the state.
     */
    private void settle(String accountId, AccountState state, boolean isNew, long now) throws Exception {
        int mask = state.evaluateBlockMask();
        int published = state.bookkeeping().blockMask();
        if (isNew || mask != published || versions.firstInRun(state)) {
            metrics.statusChanged(isNew ? 0 : published, mask);
            publishStatus(accountId, state, mask, now);
        } else {
            state.bookkeeping().statusFellBehind();
        }
        scheduleMonthStart(state);
        account.update(state);
    }

    private void publishStatus(String accountId, AccountState state, int mask, long now) {
        state.bookkeeping().statusPublished(mask);
        versions.next(state, now);
        out.status(LedgerRows.statusOf(accountId, state, now));
    }

    /**
     * Keeps a timer on the next month start while, and only while, a monthly limit blocks the
     * account: the one case where the month start must act without input.
     */
    private void scheduleMonthStart(AccountState state) throws Exception {
        Bookkeeping book = state.bookkeeping();
        long due = (book.blockMask() & BlockReason.MONTHLY_LIMIT.bit()) != 0
                ? UtcMonths.startMs(state.money().currentMonth() + 1) : 0;
        if (book.monthStartTimerMs() == due) {
            return;
        }
        if (book.monthStartTimerMs() != 0) {
            monthStart.delete(book.monthStartTimerMs());
        }
        if (due != 0) {
            monthStart.register(due);
        }
        book.monthStartTimer(due);
    }

    /** The month start of a monthly-blocked account: the month turns, the limit lifts. True when it did. */
    boolean onMonthStart(String accountId, long now) throws Exception {
        AccountState state = account.value();
        if (state == null) {
            return false;
        }
        state.bookkeeping().monthStartTimer(0); // this timer has fired
        // the clock, not the timer's time: a timer overdue after a restore, or fired at the end of
        // a bounded replay, moves the account straight to the month the clock is in
        pastMonths.advance(state, UtcMonths.of(now));
        settle(accountId, state, false, now);
        return true;
    }

    /**
     * Writes out the account's changed rollup rows and its balance row; drops ids, rollups and past
     * months that are outside the billing window, scanning only when the oldest of them is.
     */
    void flush(String accountId, long now) throws Exception {
        AccountState state = account.value();
        if (state == null) {
            return;
        }
        if (state.bookkeeping().statusBehind()) {
            // at most one status per account and flush interval: the topic's balance and month spend
            // follow the state within a flush, and the cutoffs never wait for it
            publishStatus(accountId, state, state.bookkeeping().blockMask(), now);
        }
        writeOpenRollups(accountId, state, now);
        long horizon = state.bookkeeping().oldestAcceptedMs(settings.billingWindow.toMillis());
        seenIds.expire(state, horizon, settings.billingWindow.toMillis() / 8);
        rollups.expire(state, horizon);
        pastMonths.expire(state, horizon);
        out.balance(LedgerRows.balanceOf(accountId, state, settings.freeCreditsUsd, now,
                versions.next(state, now)));
        metrics.balanceRowsFlushed.inc();
        account.update(state);
    }

    private void writeOpenRollups(String accountId, AccountState state, long now) throws Exception {
        if (state.openRollups().isEmpty()) {
            return;
        }
        long version = versions.next(state, now);
        for (UsageRollup rollup : state.openRollups().all()) {
            out.rollup(LedgerRows.rowOf(accountId, rollup, version));
            metrics.rollupRowsFlushed.inc();
        }
        rollups.close(state);
    }
}
