package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.ingest.DefaultRateCard;
import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.DeadLetter;
import dev.billing.model.LedgerInput;
import dev.billing.model.PaymentRequest;
import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/**
 * The ledger operator in Flink's keyed two-input operator harness, with a controlled
 * processing-time clock. Bundles of one input by default, so each input's effect shows at once;
 * {@link #LedgerHarness(long, int)} sets a larger bundle.
 */
final class LedgerHarness implements AutoCloseable {
    static final long FLUSH_MS = 1_000;
    static final long BUNDLE_MS = 20;
    static final LedgerSettings SETTINGS = new LedgerSettings(new BigDecimal("5.00"), Duration.ofDays(7),
            Duration.ofMillis(FLUSH_MS), new BigDecimal("0.10"));

    private final LedgerSettings settings;
    private KeyedTwoInputStreamOperatorTestHarness<String, LedgerInput, RateCard, AccountStatus> harness;
    long now;
    private int sequence;

    LedgerHarness(long now) throws Exception {
        this(now, 1);
    }

    LedgerHarness(long now, int bundleSize) throws Exception {
        this(now, bundleSize, null);
    }

    /** With {@code inputDrift}: the inputs carry watermarks ({@link #watermark}), the rate cards are idle. */
    LedgerHarness(long now, int bundleSize, Duration inputDrift) throws Exception {
        this.now = now;
        LedgerSettings bundled = SETTINGS.withBundles(bundleSize, Duration.ofMillis(BUNDLE_MS));
        this.settings = inputDrift == null ? bundled : bundled.withInputDrift(inputDrift);
        harness = create();
        open();
        harness.setStateTtlProcessingTime(now);
        harness.setProcessingTime(now);
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, LedgerInput, RateCard, AccountStatus> create()
            throws Exception {
        // rate cards are broadcast, not keyed: their key selector only satisfies the harness
        return new KeyedTwoInputStreamOperatorTestHarness<>(new AccountLedger(settings, DefaultRateCard.load()),
                LedgerInput::accountId, card -> "", Types.STRING, 1, 1, 0);
    }

    /** Opens the harness; with watermarks, the rate cards are idle, as in the job. */
    private void open() throws Exception {
        harness.open();
        if (settings.inputDrift != null) {
            harness.processWatermarkStatus2(org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus.IDLE);
        }
    }

    /** The usage and event sources are idle (nothing to read), or active again. */
    void inputsIdle(boolean idle) throws Exception {
        harness.processWatermarkStatus1(idle ? org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus.IDLE
                : org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus.ACTIVE);
    }

    /** The usage and event sources' combined watermark reaches {@code timeMs}, firing the event-time timers due. */
    void watermark(long timeMs) throws Exception {
        harness.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(timeMs));
    }

    /** A checkpoint: the barrier's pre-snapshot step (the open bundle closes, changed rows flush), then the snapshot. */
    OperatorSubtaskState snapshot() throws Exception {
        harness.prepareSnapshotPreBarrier(sequence);
        return harness.snapshot(sequence, now);
    }

    /** A new ledger instance restored from {@code snapshot}, as after a failure, {@code laterMs} on. */
    void restore(OperatorSubtaskState snapshot, long laterMs) throws Exception {
        harness.close();
        harness = create();
        harness.initializeState(snapshot);
        open();
        advanceTo(now + laterMs);
    }

    void rate(String model, String in, String out, long effectiveFrom, String account) throws Exception {
        harness.processElement2(new RateCard(model, new BigDecimal(in), new BigDecimal(out), effectiveFrom, account), now);
    }

    UsageRecord usage(String account, String requestId, String model, long prompt, long completion, long completedAt)
            throws Exception {
        UsageRecord r = new UsageRecord(requestId, account, model, prompt, completion, completedAt);
        r.source = new SourceRecord("usage-records", 0, sequence++, now, null, new byte[0]);
        harness.processElement1(LedgerInput.of(r), now);
        return r;
    }

    AccountEvent event(String account, AccountEventType type, String amount) throws Exception {
        AccountEvent e = new AccountEvent("e" + sequence, account, type, now);
        e.amountUsd = amount == null ? null : new BigDecimal(amount);
        return send(e);
    }

    AccountEvent limits(String account, String monthlyLimit, String... thresholds) throws Exception {
        AccountEvent e = new AccountEvent("e" + sequence, account, AccountEventType.LIMITS_SET, now);
        e.monthlyHardLimitUsd = monthlyLimit == null ? null : new BigDecimal(monthlyLimit);
        e.alertThresholdsUsd = java.util.Arrays.stream(thresholds).map(BigDecimal::new).sorted().toArray(BigDecimal[]::new);
        return send(e);
    }

    AccountEvent discounts(String account, String above, String percent) throws Exception {
        AccountEvent e = new AccountEvent("e" + sequence, account, AccountEventType.VOLUME_DISCOUNTS_SET, now);
        e.discountAboveUsd = new BigDecimal[] {new BigDecimal(above)};
        e.discountPercent = new BigDecimal[] {new BigDecimal(percent)};
        return send(e);
    }

    /** AUTO_TOPUP_SET; both null switches auto top-up off. */
    AccountEvent autoTopUp(String account, String below, String amount) throws Exception {
        AccountEvent e = new AccountEvent("e" + sequence, account, AccountEventType.AUTO_TOPUP_SET, now);
        e.belowUsd = below == null ? null : new BigDecimal(below);
        e.amountUsd = amount == null ? null : new BigDecimal(amount);
        return send(e);
    }

    /** The payments service's answer to a request: a purchase whose event id derives from the request id. */
    AccountEvent purchaseFor(PaymentRequest request) throws Exception {
        AccountEvent e = new AccountEvent("payment/" + request.requestId, request.accountId,
                AccountEventType.CREDITS_PURCHASED, now);
        e.amountUsd = request.amountUsd;
        return send(e);
    }

    AccountEvent send(AccountEvent e) throws Exception {
        e.source = new SourceRecord("account-events", 0, sequence++, now, null, new byte[0]);
        harness.processElement1(LedgerInput.of(e), now);
        return e;
    }

    /** Moves the processing-time clock, firing the timers due. */
    void advanceTo(long timeMs) throws Exception {
        now = timeMs;
        harness.setStateTtlProcessingTime(now); // state TTL, if any, on the same clock as the timers
        harness.setProcessingTime(now);
    }

    /** Entries in the ledger's keyed state, all accounts: one per account value, one per map entry. */
    int keyedStateEntries() throws Exception {
        return keyedStateEntries(key -> true);
    }

    /** Entries in the keyed state of one account: its value, its ids, its hourly rollups, its past months. */
    int keyedStateEntries(String account) throws Exception {
        return keyedStateEntries(account::equals);
    }

    private int keyedStateEntries(java.util.function.Predicate<String> accounts) throws Exception {
        KeyedStateBackend<String> backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        int[] entries = {0};
        backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, AccountLedger.ACCOUNT,
                (key, state) -> entries[0] += accounts.test(key) && state.value() != null ? 1 : 0);
        for (var map : List.of(AccountLedger.SEEN_IDS, AccountLedger.HOURLY_ROLLUPS, AccountLedger.PAST_MONTHS)) {
            backend.applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, map, (key, state) -> {
                if (accounts.test(key)) {
                    state.keys().forEach(k -> entries[0]++);
                }
            });
        }
        return entries[0];
    }

    /** Processing-time timers of the keyed timer services (month starts), all accounts; not the bundle and flush clocks. */
    int timers() {
        return harness.numProcessingTimeTimers();
    }

    /** Event-time timers of the keyed timer services, all accounts. */
    int eventTimeTimers() {
        return harness.numEventTimeTimers();
    }

    void flush() throws Exception {
        advanceTo(now + FLUSH_MS);
    }

    List<AccountStatus> statuses() {
        return harness.extractOutputValues();
    }

    <T> List<T> side(OutputTag<T> tag) {
        var queue = harness.getSideOutput(tag);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    void clearSide(OutputTag<?> tag) {
        var queue = harness.getSideOutput(tag);
        if (queue != null) {
            queue.clear();
        }
    }

    /** The totals of the usage_hourly rows the ledger wrote, in order. */
    List<UsageRollup> rollups() {
        return this.<UsageHourlyRow>side(AccountLedger.ROLLUPS).stream().map(r -> r.totals).toList();
    }

    List<AccountBalanceRow> balances() {
        return side(AccountLedger.BALANCES);
    }

    List<DeadLetter> deadLetters() {
        return side(AccountLedger.DEAD_LETTERS);
    }

    List<BillingAlert> alerts() {
        return side(AccountLedger.ALERTS);
    }

    List<PaymentRequest> paymentRequests() {
        return side(AccountLedger.PAYMENT_REQUESTS);
    }

    AccountBalanceRow lastBalance(String account) {
        List<AccountBalanceRow> rows = balances().stream().filter(b -> b.accountId.equals(account)).toList();
        assertThat(rows).as("balance rows of " + account).isNotEmpty();
        return rows.get(rows.size() - 1);
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
