package dev.billing.ledger;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.LedgerInput;
import dev.billing.model.PaymentRequest;
import dev.billing.model.RateCard;
import dev.billing.pricing.RateBook;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The per-account ledger, keyed by {@code account_id}, with the rate cards broadcast to it. The
 * rules are in {@link AccountBook}; this operator decides when they run:
 *
 * <ul>
 *   <li><b>Bundles.</b> Inputs wait in heap, grouped by account, until the bundle holds
 *       {@link LedgerSettings#bundleSize} inputs or is {@link LedgerSettings#bundleTime} old, a rate
 *       card arrives, or a checkpoint barrier is due; then each account's inputs are applied with
 *       one read and one write of its state, and its status leaves once. Nothing in a bundle is
 *       ever in a checkpoint: the bundle closes before the barrier (as Flink SQL's mini-batch does).
 *   <li><b>One flush per subtask.</b> The accounts changed since the last flush are a heap set;
 *       every {@link LedgerSettings#flushInterval}, and before every barrier, each writes its changed
 *       rollup rows and its balance row. No timer per account.
 *   <li><b>Month starts.</b> Only an account blocked by its monthly limit holds a processing-time
 *       timer, on its next month start.
 *   <li><b>Event-time order.</b> The sources keep the usage and event topics within a drift of each
 *       other in event time (watermark alignment); what gets past it (a source's first reads before
 *       alignment starts, a fetch already handed over when a partition is paused) comes more than
 *       the drift ahead of the watermark, and waits in keyed state until the watermark is within the
 *       drift of it. Live, inputs are never that far ahead and nothing waits.
 * </ul>
 *
 * <p>In a bounded replay (batch mode: each account's inputs arrive together, and the keyed state
 * backend keeps only the current account) inputs are applied as they come and an account is
 * flushed by a keyed timer, which batch mode fires when the account's inputs end.
 */
public class AccountLedger extends AbstractStreamOperator<AccountStatus>
        implements TwoInputStreamOperator<LedgerInput, RateCard, AccountStatus>, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 2L;

    public static final MapStateDescriptor<String, RateCard> RATE_CARDS =
            new MapStateDescriptor<>("rate-cards", Types.STRING, TypeInformation.of(RateCard.class));
    public static final OutputTag<UsageHourlyRow> ROLLUPS = new OutputTag<>("usage-hourly") {};
    public static final OutputTag<AccountBalanceRow> BALANCES = new OutputTag<>("account-balance") {};
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("ledger-dead-letters") {};
    public static final OutputTag<BillingAlert> ALERTS = new OutputTag<>("billing-alerts") {};
    public static final OutputTag<PaymentRequest> PAYMENT_REQUESTS = new OutputTag<>("payment-requests") {};

    public static final ValueStateDescriptor<AccountState> ACCOUNT =
            new ValueStateDescriptor<>("account", TypeInformation.of(AccountState.class));
    public static final MapStateDescriptor<String, Long> SEEN_IDS = new MapStateDescriptor<>("seen-ids", Types.STRING, Types.LONG);
    public static final MapStateDescriptor<String, UsageRollup> HOURLY_ROLLUPS =
            new MapStateDescriptor<>("hourly-rollups", Types.STRING, TypeInformation.of(UsageRollup.class));
    public static final MapStateDescriptor<Integer, MonthSpend> PAST_MONTHS =
            new MapStateDescriptor<>("past-month-spend", Types.INT, TypeInformation.of(MonthSpend.class));
    /** Inputs that came ahead of the watermark by more than the drift, until it catches up (empty otherwise). */
    static final ListStateDescriptor<LedgerInput> HELD_INPUTS =
            new ListStateDescriptor<>("held-inputs", TypeInformation.of(LedgerInput.class));

    /** The timer service of the month starts of monthly-blocked accounts. */
    static final String MONTH_START_TIMERS = "month-start";
    /**
     * The timer service of single accounts' flushes: in a bounded replay, when the account's inputs
     * end; in a state converted from release 0.1 ({@link LedgerStateWriter}), the flush release 0.1
     * still owed (its timer time has passed, so it fires as the restored job starts).
     */
    static final String FLUSH_TIMERS = "replay-flush";

    private final LedgerSettings settings;
    /** The list prices the job starts with (the pricing page's), under those from the rate-card topic. */
    private final List<RateCard> defaultRates;

    private transient AccountBook book;
    private transient RateBook rateBook;
    private transient BroadcastState<String, RateCard> rateCards;
    private transient InternalTimerService<VoidNamespace> monthStarts;
    /** An account's flush: in batch mode fired by the runtime when its inputs end; see {@link #FLUSH_TIMERS}. */
    private transient InternalTimerService<VoidNamespace> replayFlushes;
    /** The open bundle: each account's inputs in arrival order, accounts in order of first arrival. */
    private transient Map<String, List<LedgerInput>> bundle;
    private transient int bundled;
    private transient boolean bundleTimerSet;
    /** Accounts changed since the last flush. */
    private transient LinkedHashSet<String> changed;
    /** The inputs' drift in event time, -1 when they carry no watermarks (see {@link LedgerSettings#inputDrift}). */
    private transient long driftMs;
    private transient ListState<LedgerInput> held;
    /** Event-time timers: an account's held inputs are due when the watermark reaches their time minus the drift. */
    private transient InternalTimerService<VoidNamespace> releases;
    private transient LedgerMetrics metrics;

    public AccountLedger(LedgerSettings settings, List<RateCard> defaultRates) {
        this.defaultRates = List.copyOf(defaultRates);
        this.settings = settings;
    }

    @Override
    public void open() throws Exception {
        super.open();
        metrics = new LedgerMetrics(getMetricGroup());
        driftMs = settings.inputDrift == null || settings.keyContiguous ? -1 : settings.inputDrift.toMillis();
        held = getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, HELD_INPUTS);
        releases = getInternalTimerService("input-release", VoidNamespaceSerializer.INSTANCE,
                new Triggerable<String, VoidNamespace>() {
                    @Override
                    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
                        release(timer.getKey(), timer.getTimestamp());
                    }

                    @Override
                    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}
                });
        rateCards = getOperatorStateBackend().getBroadcastState(RATE_CARDS);
        rateBook = new RateBook();
        defaultRates.forEach(rateBook::add);
        for (Map.Entry<String, RateCard> e : rateCards.entries()) {
            rateBook.add(e.getValue());
        }
        monthStarts = getInternalTimerService(MONTH_START_TIMERS, VoidNamespaceSerializer.INSTANCE, this);
        replayFlushes = getInternalTimerService(FLUSH_TIMERS, VoidNamespaceSerializer.INSTANCE,
                new Triggerable<String, VoidNamespace>() {
                    @Override
                    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

                    @Override
                    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
                        book.flush(timer.getKey(), getProcessingTimeService().getCurrentProcessingTime());
                    }
                });
        VersionClock versions = new VersionClock(getRuntimeContext().getTaskInfo().getAttemptNumber(),
                settings.versionFloor, metrics.versionClockBehind);
        book = new AccountBook(settings,
                getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, ACCOUNT),
                new SeenIds(getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, SEEN_IDS)),
                new HourlyRollups(getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, HOURLY_ROLLUPS)),
                new PastMonths(getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, PAST_MONTHS)),
                rateBook, versions, metrics, new Outputs(),
                new AccountBook.MonthStartTimer() {
                    @Override
                    public void register(long timeMs) {
                        monthStarts.registerProcessingTimeTimer(VoidNamespace.INSTANCE, timeMs);
                    }

                    @Override
                    public void delete(long timeMs) {
                        monthStarts.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, timeMs);
                    }
                });
        bundle = new LinkedHashMap<>();
        changed = new LinkedHashSet<>();
        if (!settings.keyContiguous) {
            scheduleFlush();
        }
    }

    @Override
    public void processElement1(StreamRecord<LedgerInput> record) throws Exception {
        LedgerInput input = record.getValue();
        String key = input.accountId();
        if (settings.keyContiguous) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            if (book.apply(key, List.of(input), now)) {
                replayFlushes.registerProcessingTimeTimer(VoidNamespace.INSTANCE, Long.MAX_VALUE); // one per account
            }
            return;
        }
        if (driftMs >= 0 && timeOf(input) - driftMs > releases.currentWatermark()) {
            // ahead of the other topic by more than the drift: alignment did not stop it in time (the
            // first reads of a source, a fetch already handed over); it waits for the watermark
            held.add(input);
            releases.registerEventTimeTimer(VoidNamespace.INSTANCE, timeOf(input) - driftMs);
            metrics.inputsHeld.inc();
            return;
        }
        addToBundle(key, input);
    }

    /** An input's event time as the sources' watermarks count it ({@code InputTime}): capped at its Kafka timestamp. */
    static long timeOf(LedgerInput input) {
        long stated = input.usage != null ? input.usage.completedAtMs : input.event.occurredAtMs;
        var source = input.usage != null ? input.usage.source : input.event.source;
        return source == null ? stated : Math.min(stated, source.timestampMs);
    }

    /** The watermark reached the held inputs of the timer's account that are within the drift of it: into the bundle, oldest first. */
    private void release(String key, long watermark) throws Exception {
        List<LedgerInput> ready = new ArrayList<>();
        List<LedgerInput> waiting = new ArrayList<>();
        for (LedgerInput input : held.get()) {
            (timeOf(input) - driftMs <= watermark ? ready : waiting).add(input);
        }
        if (waiting.isEmpty()) {
            held.clear();
        } else {
            held.update(waiting);
        }
        ready.sort(java.util.Comparator.comparingLong(AccountLedger::timeOf));
        for (LedgerInput input : ready) {
            addToBundle(key, input);
        }
    }

    private void addToBundle(String key, LedgerInput input) throws Exception {
        bundle.computeIfAbsent(key, k -> new ArrayList<>(4)).add(input);
        if (++bundled >= settings.bundleSize) {
            closeBundle();
        } else if (!bundleTimerSet) {
            // one timer at a time: one left over from a bundle that closed on its size closes the
            // next bundle no later than its own time would
            bundleTimerSet = true;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + settings.bundleTime.toMillis(), t -> {
                bundleTimerSet = false;
                closeBundle();
            });
        }
    }


    @Override
    public void processElement2(StreamRecord<RateCard> record) throws Exception {
        closeBundle(); // the inputs before the card are priced without it, as they arrived
        RateCard card = record.getValue();
        rateCards.put(card.id(), card);
        rateBook.add(card);
    }

    /** Applies the open bundle, account by account. */
    private void closeBundle() throws Exception {
        if (bundled == 0) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (Map.Entry<String, List<LedgerInput>> e : bundle.entrySet()) {
            setCurrentKey(e.getKey());
            if (book.apply(e.getKey(), e.getValue(), now)) {
                changed.add(e.getKey());
            }
        }
        bundle.clear();
        bundled = 0;
    }

    private void scheduleFlush() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + settings.flushInterval.toMillis(), t -> {
            flushChanged();
            scheduleFlush();
        });
    }

    /** Writes the rows of every account changed since the last flush. */
    private void flushChanged() throws Exception {
        if (changed.isEmpty()) {
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (String key : changed) {
            setCurrentKey(key);
            book.flush(key, now);
        }
        changed.clear();
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        String key = timer.getKey();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        if (book.onMonthStart(key, now)) {
            if (settings.keyContiguous) {
                book.flush(key, now);
            } else {
                changed.add(key);
            }
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
        // the month starts are processing-time timers; the held inputs' are in their own service
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        closeBundle();
        flushChanged(); // every row the checkpoint's state implies is out before the barrier
    }

    @Override
    public void finish() throws Exception {
        closeBundle();
        flushChanged();
        super.finish();
    }

    /** Routes what the rules decide to the main output and the side outputs. */
    private final class Outputs implements LedgerOutput {
        @Override
        public void status(AccountStatus status) {
            output.collect(new StreamRecord<>(status));
        }

        @Override
        public void deadLetter(DeadLetter deadLetter) {
            output.collect(DEAD_LETTERS, new StreamRecord<>(deadLetter));
        }

        @Override
        public void alert(BillingAlert alert) {
            output.collect(ALERTS, new StreamRecord<>(alert));
        }

        @Override
        public void paymentRequest(PaymentRequest request) {
            output.collect(PAYMENT_REQUESTS, new StreamRecord<>(request));
        }

        @Override
        public void rollup(UsageHourlyRow row) {
            output.collect(ROLLUPS, new StreamRecord<>(row));
        }

        @Override
        public void balance(AccountBalanceRow row) {
            output.collect(BALANCES, new StreamRecord<>(row));
        }
    }
}
