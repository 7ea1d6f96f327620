package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.AccountStatus;
import dev.billing.model.DeadLetter;
import dev.billing.model.LedgerInput;
import dev.billing.model.RateCard;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageHourlyRow;
import dev.billing.model.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccountLedgerTest {
    private static final long FLUSH_MS = 1_000;
    private static final long T = Instant.parse("2026-11-10T12:00:00Z").toEpochMilli();
    private static final LedgerSettings SETTINGS = new LedgerSettings(new BigDecimal("5.00"), Duration.ofHours(24),
            Duration.ofDays(7), Duration.ofMillis(FLUSH_MS));

    private KeyedBroadcastOperatorTestHarness<String, LedgerInput, RateCard, AccountStatus> harness;
    private long now = T + 3_600_000;
    private int sequence;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness();
        harness.open();
        harness.setProcessingTime(now);
    }

    private static KeyedBroadcastOperatorTestHarness<String, LedgerInput, RateCard, AccountStatus> newHarness()
            throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(new AccountLedger(SETTINGS), List.of(AccountLedger.RATE_CARDS)),
                LedgerInput::accountId, Types.STRING, 1, 1, 0);
    }

    @Test
    void freeCreditsAreGrantedOnceEvenWhenAccountOpenedArrivesAfterUsage() throws Exception {
        usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // $0.05
        event("a", AccountEventType.ACCOUNT_OPENED, null);
        event("a", AccountEventType.ACCOUNT_OPENED, null);
        flush();

        AccountBalanceRow balance = lastBalance("a");
        assertThat(balance.creditsUsd).isEqualByComparingTo("5.00");
        assertThat(balance.spendUsd).isEqualByComparingTo("0.05");
        assertThat(balance.balanceUsd).isEqualByComparingTo("4.95");
        assertThat(statuses()).extracting(s -> s.status).containsExactly("ACTIVE");
    }

    @Test
    void anAccountOpenedBeforeItsFirstUsageBillsIt() throws Exception {
        event("a", AccountEventType.ACCOUNT_OPENED, null);
        usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        flush();

        assertThat(deadLetters()).isEmpty();
        assertThat(lastBalance("a").spendUsd).isEqualByComparingTo("0.05");
        assertThat(rollups()).singleElement().satisfies(r -> assertThat(r.requests).isEqualTo(1));
    }

    @Test
    void priceIsTheRateInForceAtCompletedAtIncludingOverrides() throws Exception {
        harness.processBroadcastElement(new RateCard("llama-3.3-70b", new BigDecimal("0.18"), new BigDecimal("0.22"),
                T + 1_800_000, null), now);
        harness.processBroadcastElement(new RateCard("deepseek-v3", new BigDecimal("0.123456"),
                new BigDecimal("0.654321"), T, "vip"), now);

        usage("a", "before", "llama-3.3-70b", 1_000_000, 1_000_000, T + 1_799_999); // 0.20 + 0.20
        usage("b", "at", "llama-3.3-70b", 1_000_000, 1_000_000, T + 1_800_000); // 0.18 + 0.22
        usage("vip", "override", "deepseek-v3", 3, 7, T); // 3 x 0.123456 + 7 x 0.654321, per 1M
        usage("c", "list", "deepseek-v3", 3, 7, T); // 10 x 0.25 per 1M
        flush();

        assertThat(lastBalance("a").spendUsd).isEqualByComparingTo("0.40");
        assertThat(lastBalance("b").spendUsd).isEqualByComparingTo("0.40");
        assertThat(lastBalance("vip").spendUsd).isEqualByComparingTo("0.000004950615");
        assertThat(lastBalance("c").spendUsd).isEqualByComparingTo("0.0000025");
    }

    @Test
    void resentRequestsAndEventsCountOnce() throws Exception {
        usage("a", "r1", "deepseek-v3", 1_000_000, 0, T);
        usage("a", "r1", "deepseek-v3", 1_000_000, 0, T);
        AccountEvent purchase = event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        harness.processElement(LedgerInput.of(purchase), now);
        flush();

        assertThat(lastBalance("a").creditsUsd).isEqualByComparingTo("15.00");
        assertThat(rollups()).singleElement().satisfies(r -> {
            assertThat(r.requests).isEqualTo(1);
            assertThat(r.costUsd).isEqualByComparingTo("0.25");
        });
    }

    @Test
    void blocksOnceWhenBalanceReachesZeroAndResumesWhenCreditsLiftIt() throws Exception {
        usage("a", "r1", "deepseek-v3", 10_000_000, 0, T); // $2.50
        usage("a", "r2", "deepseek-v3", 10_000_000, 0, T); // $5.00 spent: balance exactly zero
        usage("a", "r3", "deepseek-v3", 4_000_000, 0, T); // in flight: still billed, balance -1.00
        event("a", AccountEventType.CREDITS_ADJUSTED, "0.50"); // -0.50: still blocked
        event("a", AccountEventType.CREDITS_PURCHASED, "5.00"); // 4.50: active
        flush();

        List<AccountStatus> statuses = statuses();
        assertThat(statuses).extracting(s -> s.status).containsExactly("ACTIVE", "BLOCKED", "ACTIVE");
        assertThat(statuses.get(1).reason).isEqualTo("BALANCE_EXHAUSTED");
        assertThat(statuses.get(1).balanceUsd).isEqualByComparingTo("0");
        assertThat(statuses).extracting(s -> s.version).isSorted().doesNotHaveDuplicates();
        assertThat(lastBalance("a").balanceUsd).isEqualByComparingTo("4.50");
        assertThat(lastBalance("a").status).isEqualTo("ACTIVE");
    }

    @Test
    void rejectsUnknownModelsAndTooLateRecordsWithoutOpeningAccounts() throws Exception {
        usage("ghost", "r1", "gpt-9", 10, 10, T);
        usage("a", "r2", "llama-3.1-8b", 10, 10, T);
        usage("a", "r3", "llama-3.1-8b", 10, 10, T - Duration.ofDays(7).toMillis() - 1);
        usage("a", "r4", "llama-3.1-8b", 10, 10, T - Duration.ofDays(7).toMillis());
        flush();

        assertThat(deadLetters()).extracting(d -> d.reason + " " + d.source.offset)
                .containsExactly(RejectReason.UNKNOWN_MODEL + " 0", RejectReason.TOO_LATE + " 2");
        assertThat(balances()).extracting(b -> b.accountId).containsOnly("a");
        assertThat(rollups()).extracting(r -> r.requests).containsExactlyInAnyOrder(1L, 1L);
    }

    @Test
    void rollupRowsAreCoalescedPerFlushAndLateRecordsLandInTheirOwnHour() throws Exception {
        for (int i = 0; i < 10; i++) {
            usage("a", "r" + i, "qwen3.5-35b-a3b", 100, 50, T + i);
        }
        usage("a", "late", "qwen3.5-35b-a3b", 100, 50, T - 5 * 3_600_000L);
        assertThat(rollups()).as("nothing is written before the flush").isEmpty();
        flush();

        assertThat(rollups()).extracting(r -> r.hourStartMs + ":" + r.requests)
                .containsExactlyInAnyOrder(T + ":10", (T - 5 * 3_600_000L) + ":1");
        harness.getSideOutput(AccountLedger.ROLLUPS).clear();
        flush();
        assertThat(rollups()).as("unchanged rows are not written again").isEmpty();
    }

    @Test
    void aBillionDollarsOfSpendAtSixDecimalRatesStaysExact() throws Exception {
        harness.processBroadcastElement(new RateCard("big", new BigDecimal("1000.000001"), new BigDecimal("999.999999"),
                0L, null), now);
        for (int i = 0; i < 3; i++) {
            usage("whale", "r" + i, "big", 1_000_000_000_000L, 1_000_000_000_000L - 1, T);
        }
        flush();
        // per record: 1e12 x 1000.000001 / 1e6 + (1e12 - 1) x 999.999999 / 1e6
        // = 1,000,000,001 + 999,999,998.999000000001, three times
        assertThat(lastBalance("whale").spendUsd).isEqualByComparingTo("5999999999.997000000003");
    }

    @Test
    void statusVersionsKeepGrowingAfterARestoreFromAnOlderSnapshot() throws Exception {
        usage("a", "r1", "deepseek-v3", 1_000, 0, T);
        OperatorSubtaskState snapshot = harness.snapshot(1L, now);
        usage("a", "r2", "deepseek-v3", 30_000_000, 0, T); // blocks
        long publishedBeforeCrash = statuses().stream().mapToLong(s -> s.version).max().orElseThrow();
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        now += 5_000;
        harness.setProcessingTime(now);
        usage("a", "r2", "deepseek-v3", 30_000_000, 0, T); // replayed after the restore

        assertThat(statuses()).singleElement().satisfies(s -> {
            assertThat(s.status).isEqualTo("BLOCKED");
            assertThat(s.version).isGreaterThan(publishedBeforeCrash);
        });
    }

    // ---- helpers

    private void usage(String account, String requestId, String model, long prompt, long completion, long completedAt)
            throws Exception {
        UsageRecord r = new UsageRecord(requestId, account, model, prompt, completion, completedAt);
        r.source = new SourceRecord("usage-records", 0, sequence++, now, null, new byte[0]);
        harness.processElement(LedgerInput.of(r), now);
    }

    private AccountEvent event(String account, AccountEventType type, String amount) throws Exception {
        AccountEvent e = new AccountEvent("e" + sequence, account, type, T);
        e.source = new SourceRecord("account-events", 0, sequence++, now, null, new byte[0]);
        e.amountUsd = amount == null ? null : new BigDecimal(amount);
        harness.processElement(LedgerInput.of(e), now);
        return e;
    }

    private void flush() throws Exception {
        now += FLUSH_MS;
        harness.setProcessingTime(now);
    }

    private List<AccountStatus> statuses() {
        return harness.extractOutputValues();
    }

    private <T> List<T> side(OutputTag<T> tag) {
        var queue = harness.getSideOutput(tag);
        return queue == null ? List.of() : queue.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    private List<UsageHourlyRow> rollups() {
        return side(AccountLedger.ROLLUPS);
    }

    private List<AccountBalanceRow> balances() {
        return side(AccountLedger.BALANCES);
    }

    private List<DeadLetter> deadLetters() {
        return side(AccountLedger.DEAD_LETTERS);
    }

    private AccountBalanceRow lastBalance(String account) {
        List<AccountBalanceRow> rows = balances().stream().filter(b -> b.accountId.equals(account)).toList();
        assertThat(rows).as("balance rows of " + account).isNotEmpty();
        return rows.get(rows.size() - 1);
    }
}
