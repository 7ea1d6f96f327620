package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import dev.billing.model.AccountStatus;
import dev.billing.model.RejectReason;
import dev.billing.model.UsageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccountLedgerTest {
    private static final long T = Instant.parse("2026-11-10T12:00:00Z").toEpochMilli();

    private LedgerHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new LedgerHarness(T + 3_600_000);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void freeCreditsAreGrantedOnceEvenWhenAccountOpenedArrivesAfterUsage() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // $0.05
        h.event("a", AccountEventType.ACCOUNT_OPENED, null);
        h.event("a", AccountEventType.ACCOUNT_OPENED, null);
        h.flush();

        AccountBalanceRow balance = h.lastBalance("a");
        assertThat(balance.creditsUsd).isEqualByComparingTo("5.00");
        assertThat(balance.spendUsd).isEqualByComparingTo("0.05");
        assertThat(balance.balanceUsd).isEqualByComparingTo("4.95");
        assertThat(h.statuses()).extracting(s -> s.status).containsOnly("ACTIVE");
        // the flush publishes the moved balance: the topic's last status is the state's
        AccountStatus last = h.statuses().get(h.statuses().size() - 1);
        assertThat(last.balanceUsd).isEqualByComparingTo("4.95");
        assertThat(last.version).isGreaterThan(h.statuses().get(0).version);
    }

    @Test
    void anAccountOpenedBeforeItsFirstUsageBillsIt() throws Exception {
        h.event("a", AccountEventType.ACCOUNT_OPENED, null);
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.flush();

        assertThat(h.deadLetters()).isEmpty();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.05");
        assertThat(h.rollups()).singleElement().satisfies(r -> assertThat(r.requests).isEqualTo(1));
    }

    @Test
    void priceIsTheRateInForceAtCompletedAtIncludingOverrides() throws Exception {
        h.rate("llama-3.3-70b", "0.18", "0.22", T + 1_800_000, null);
        h.rate("deepseek-v3", "0.123456", "0.654321", T, "vip");

        h.usage("a", "before", "llama-3.3-70b", 1_000_000, 1_000_000, T + 1_799_999); // 0.20 + 0.20
        h.usage("b", "at", "llama-3.3-70b", 1_000_000, 1_000_000, T + 1_800_000); // 0.18 + 0.22
        h.usage("vip", "override", "deepseek-v3", 3, 7, T); // 3 x 0.123456 + 7 x 0.654321, per 1M
        h.usage("c", "list", "deepseek-v3", 3, 7, T); // 10 x 0.25 per 1M
        h.flush();

        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.40");
        assertThat(h.lastBalance("b").spendUsd).isEqualByComparingTo("0.40");
        assertThat(h.lastBalance("vip").spendUsd).isEqualByComparingTo("0.000004950615");
        assertThat(h.lastBalance("c").spendUsd).isEqualByComparingTo("0.0000025");
    }

    @Test
    void resentRequestsAndEventsCountOnce() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 1_000_000, 0, T);
        h.usage("a", "r1", "deepseek-v3", 1_000_000, 0, T);
        AccountEvent purchase = h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        h.send(purchase);
        h.flush();

        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("15.00");
        assertThat(h.rollups()).singleElement().satisfies(r -> {
            assertThat(r.requests).isEqualTo(1);
            assertThat(r.costUsd).isEqualByComparingTo("0.25");
        });
    }

    @Test
    void aStatusNamesTheNewestUsageItsBalanceIncludesAResendToo() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 1_000_000, 0, T);
        UsageRecord second = h.usage("a", "r2", "deepseek-v3", 1_000_000, 0, T);
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00"); // an event moves no usage position
        h.flush();
        AccountStatus billed = h.statuses().get(h.statuses().size() - 1);
        assertThat(billed.balanceUsd).isEqualByComparingTo("14.50");
        assertThat(billed.usagePartition).isEqualTo(second.source.partition);
        assertThat(billed.usageOffset).isEqualTo(second.source.offset);

        UsageRecord resend = h.usage("a", "r2", "deepseek-v3", 1_000_000, 0, T); // billed once: the balance stays
        h.flush();
        AccountStatus afterResend = h.statuses().get(h.statuses().size() - 1);
        assertThat(afterResend.version).isGreaterThan(billed.version);
        assertThat(afterResend.balanceUsd).isEqualByComparingTo("14.50");
        assertThat(afterResend.usageOffset).isEqualTo(resend.source.offset);
    }

    @Test
    void blocksOnceWhenBalanceReachesZeroAndResumesWhenCreditsLiftIt() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 10_000_000, 0, T); // $2.50
        h.usage("a", "r2", "deepseek-v3", 10_000_000, 0, T); // $5.00 spent: balance exactly zero
        h.usage("a", "r3", "deepseek-v3", 4_000_000, 0, T); // in flight: still billed, balance -1.00
        h.event("a", AccountEventType.CREDITS_ADJUSTED, "0.50"); // -0.50: still blocked
        h.event("a", AccountEventType.CREDITS_PURCHASED, "5.00"); // 4.50: active
        h.flush();

        List<AccountStatus> statuses = h.statuses();
        assertThat(statuses).extracting(s -> s.status).containsExactly("ACTIVE", "BLOCKED", "ACTIVE");
        assertThat(statuses.get(1).reason).isEqualTo("BALANCE_EXHAUSTED");
        assertThat(statuses.get(1).balanceUsd).isEqualByComparingTo("0");
        assertThat(statuses).extracting(s -> s.version).isSorted().doesNotHaveDuplicates();
        assertThat(h.lastBalance("a").balanceUsd).isEqualByComparingTo("4.50");
        assertThat(h.lastBalance("a").status).isEqualTo("ACTIVE");
    }

    @Test
    void rejectsUnknownModelsAndTooLateRecordsWithoutOpeningAccounts() throws Exception {
        h.usage("ghost", "r1", "gpt-9", 10, 10, T);
        h.usage("a", "r2", "llama-3.1-8b", 10, 10, T);
        h.usage("a", "r3", "llama-3.1-8b", 10, 10, T - Duration.ofDays(7).toMillis() - 1);
        h.usage("a", "r4", "llama-3.1-8b", 10, 10, T - Duration.ofDays(7).toMillis());
        h.flush();

        assertThat(h.deadLetters()).extracting(d -> d.reason + " " + d.source.offset)
                .containsExactly(RejectReason.UNKNOWN_MODEL + " 0", RejectReason.TOO_LATE + " 2");
        assertThat(h.balances()).extracting(b -> b.accountId).containsOnly("a");
        assertThat(h.rollups()).extracting(r -> r.requests).containsExactlyInAnyOrder(1L, 1L);
    }

    @Test
    void rollupRowsAreCoalescedPerFlushAndLateRecordsLandInTheirOwnHour() throws Exception {
        for (int i = 0; i < 10; i++) {
            h.usage("a", "r" + i, "qwen3.5-35b-a3b", 100, 50, T + i);
        }
        h.usage("a", "late", "qwen3.5-35b-a3b", 100, 50, T - 5 * 3_600_000L);
        assertThat(h.rollups()).as("nothing is written before the flush").isEmpty();
        h.flush();

        assertThat(h.rollups()).extracting(r -> r.hourStartMs + ":" + r.requests)
                .containsExactlyInAnyOrder(T + ":10", (T - 5 * 3_600_000L) + ":1");
        h.clearSide(AccountLedger.ROLLUPS);
        h.flush();
        assertThat(h.rollups()).as("unchanged rows are not written again").isEmpty();
    }

    @Test
    void aBillionDollarsOfSpendAtSixDecimalRatesStaysExact() throws Exception {
        h.rate("big", "1000.000001", "999.999999", 0L, null);
        for (int i = 0; i < 3; i++) {
            h.usage("whale", "r" + i, "big", 1_000_000_000_000L, 1_000_000_000_000L - 1, T);
        }
        h.flush();
        // per record: 1e12 x 1000.000001 / 1e6 + (1e12 - 1) x 999.999999 / 1e6
        // = 1,000,000,001 + 999,999,998.999000000001, three times
        assertThat(h.lastBalance("whale").spendUsd).isEqualByComparingTo("5999999999.997000000003");
    }

    @Test
    void statusVersionsKeepGrowingAfterARestoreFromAnOlderSnapshot() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 1_000, 0, T);
        OperatorSubtaskState snapshot = h.snapshot();
        h.usage("a", "r2", "deepseek-v3", 30_000_000, 0, T); // blocks
        long publishedBeforeCrash = h.statuses().stream().mapToLong(s -> s.version).max().orElseThrow();

        h.restore(snapshot, 5_000);
        h.usage("a", "r2", "deepseek-v3", 30_000_000, 0, T); // replayed after the restore

        assertThat(h.statuses()).singleElement().satisfies(s -> {
            assertThat(s.status).isEqualTo("BLOCKED");
            assertThat(s.version).isGreaterThan(publishedBeforeCrash);
        });
    }

    @Test
    void afterARestoreAReplayInAnotherOrderPublishesTheStatusAgainAboveEveryVersionOut() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 1_000, 0, T);
        OperatorSubtaskState snapshot = h.snapshot(); // ACTIVE
        h.usage("a", "r2", "deepseek-v3", 30_000_000, 0, T); // $7.50 of $5: BLOCKED is published
        AccountStatus blocked = h.statuses().get(h.statuses().size() - 1);
        assertThat(blocked.status).isEqualTo("BLOCKED");

        // the crash lands before the purchase; the replay reads the purchase before the usage, so the
        // state never leaves ACTIVE, the mask equal to the checkpoint's
        h.restore(snapshot, 0);
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        h.usage("a", "r2", "deepseek-v3", 30_000_000, 0, T);

        assertThat(h.statuses()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.status).isEqualTo("ACTIVE");
            assertThat(s.version).isGreaterThan(blocked.version);
        });
        h.flush();
        assertThat(h.lastBalance("a").status).isEqualTo("ACTIVE");
    }

    @Test
    void aRestoreOnATaskManagerWhoseClockIsBehindStillPublishesHigherVersions() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 1_000, 0, T);
        OperatorSubtaskState snapshot = h.snapshot();
        h.usage("a", "r2", "deepseek-v3", 30_000_000, 0, T); // published by the failed run
        long lastOut = h.statuses().stream().mapToLong(s -> s.version).max().orElseThrow();

        // the new TaskManager's clock is a minute behind the old one's
        h.restore(snapshot, -60_000);
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");

        assertThat(h.statuses()).singleElement().satisfies(s -> assertThat(s.version).isGreaterThan(lastOut));
    }

    @Test
    void aResendInsideTheWindowIsDroppedWhateverTheDowntime() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // $0.05
        h.advanceTo(h.now + Duration.ofHours(25).toMillis());
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, T + Duration.ofHours(25).toMillis());
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // resent 25 h later, inside the 7-day window
        // eight days of downtime, then the backlog with another resend: the window has not moved
        h.advanceTo(h.now + Duration.ofDays(8).toMillis());
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.flush();

        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.10");
        assertThat(h.deadLetters()).isEmpty();
    }

    @Test
    void aResendOutsideTheWindowIsDeadLetteredNeverCharged() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        long later = T + Duration.ofDays(7).toMillis() + 1;
        h.advanceTo(later + 1_000);
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, later); // the window moves past r1
        h.flush(); // the flush may forget r1's id now
        h.advanceTo(h.now + Duration.ofDays(1).toMillis());
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.flush();

        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.10");
        assertThat(h.deadLetters()).singleElement().satisfies(d -> assertThat(d.reason).isEqualTo(RejectReason.TOO_LATE));
    }

    @Test
    void aRestampedResendIsRememberedForTheWindowAfterItsLatestSighting() throws Exception {
        long day = Duration.ofDays(1).toMillis();
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // $0.05
        h.advanceTo(T + 20 * day);
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T + 5 * day); // the node restamps its retry: dropped
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, T + 9 * day); // the window moves past r1's first sighting
        h.flush(); // expiry runs: r1 stays, for its sighting at T + 5 days
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T + 11 * day);
        h.flush();
        assertThat(h.lastBalance("a").spendUsd).as("r1 billed once, r2 once").isEqualByComparingTo("0.10");

        // the bound: a resend stamped more than the window after every sighting of its id is new
        h.usage("a", "r3", "llama-3.1-8b", 1_000_000, 0, T + 19 * day); // r1's latest sighting (T + 11 d) leaves the window
        h.flush();
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T + 19 * day);
        h.flush();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.20");
        assertThat(h.deadLetters()).isEmpty();
    }

    @Test
    void idsLeaveStateOnceTheirInputIsOutsideTheWindow() throws Exception {
        for (int i = 0; i < 10; i++) {
            h.usage("a", "old" + i, "llama-3.1-8b", 1_000, 0, T);
        }
        h.flush();
        int withOldIds = h.keyedStateEntries();
        long later = T + Duration.ofDays(9).toMillis();
        h.advanceTo(later);
        h.usage("a", "new", "llama-3.1-8b", 1_000, 0, later);
        h.flush();
        // the ten old ids and their hour's rollup are gone; one id and one rollup came
        assertThat(h.keyedStateEntries()).isEqualTo(withOldIds - 10 + 1);
    }

    @Test
    void idleAccountsKeepConstantStateAndNoTimersThroughTwoYearsOfMonthStarts() throws Exception {
        for (int i = 0; i < 20; i++) {
            h.usage("idle-" + i, "r", "llama-3.1-8b", 1_000, 0, T);
        }
        h.limits("blocked", "0.01");
        h.usage("blocked", "r", "llama-3.1-8b", 1_000_000, 0, T); // $0.05 > $0.01: blocked until the 1st
        h.flush();
        h.advanceTo(monthStart(1) + 1); // lifts the block
        h.flush(); // and writes the lifted account's row
        int entries = h.keyedStateEntries();
        int balancesBefore = h.balances().size();
        for (int month = 2; month <= 24; month++) {
            h.advanceTo(monthStart(month) + 1);
            assertThat(h.keyedStateEntries()).as("state entries after month start " + month).isEqualTo(entries);
            assertThat(h.timers()).as("timers pending after month start " + month).isZero();
        }
        assertThat(h.balances()).as("balance rows written at the month starts").hasSize(balancesBefore);
        assertThat(h.statuses()).filteredOn(s -> s.accountId.equals("blocked")).extracting(s -> s.status)
                .containsExactly("ACTIVE", "BLOCKED", "ACTIVE");
    }

    @Test
    void onlyAnAccountBlockedByItsMonthlyLimitWaitsForTheMonthStart() throws Exception {
        h.usage("active", "r", "llama-3.1-8b", 1_000, 0, T);
        h.limits("blocked", "0.01");
        h.usage("blocked", "r", "llama-3.1-8b", 1_000_000, 0, T);
        h.flush();
        assertThat(h.timers()).as("the blocked account's month start").isEqualTo(1);
        h.limits("blocked", "100.00"); // raised: nothing left to lift
        h.flush();
        assertThat(h.timers()).isZero();
    }

    @Test
    void aPurchaseThatWouldTakeTheCreditsPastTheirColumnIsDeadLetteredAndBillingGoesOn() throws Exception {
        // each amount fits numeric(38,18) alone (the parser caps one at $1e9; the ledger guards the sums)
        h.event("a", AccountEventType.CREDITS_PURCHASED, "60000000000000000000");
        h.event("a", AccountEventType.CREDITS_PURCHASED, "60000000000000000000");
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.flush();

        assertThat(h.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo(RejectReason.INVALID_AMOUNT);
            assertThat(d.detail).contains("account_balance.credits_usd");
        });
        AccountBalanceRow row = h.lastBalance("a");
        assertThat(row.creditsUsd).isEqualByComparingTo("60000000000000000005.00");
        assertThat(row.spendUsd).isEqualByComparingTo("0.05");
        assertThat(ColumnBounds.fits(row.balanceUsd)).isTrue();
    }

    @Test
    void aRecordThatWouldTakeAnHourlyTokenSumPastBigintIsDeadLetteredBeforeItTouchesState() throws Exception {
        h.rate("free", "0", "0", 0L, null);
        h.usage("a", "r1", "free", 5_000_000_000_000_000_000L, 0, T);
        h.usage("a", "r2", "free", 5_000_000_000_000_000_000L, 0, T); // the hour's prompt tokens would pass 2^63
        h.usage("a", "r3", "free", 7, 0, T);
        h.flush();

        assertThat(h.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo(RejectReason.INVALID_FIELD);
            assertThat(d.detail).contains("usage_hourly.prompt_tokens");
        });
        assertThat(h.rollups()).singleElement().satisfies(r -> {
            assertThat(r.requests).isEqualTo(2);
            assertThat(r.promptTokens).isEqualTo(5_000_000_000_000_000_007L);
        });
        h.usage("a", "r2", "free", 1, 0, T); // the rejected id was not remembered: a corrected resend is billed
        h.flush();
        assertThat(h.rollups().get(h.rollups().size() - 1).requests).isEqualTo(3);
    }

    private static long monthStart(int monthsAfterT) {
        return java.time.LocalDate.ofInstant(Instant.ofEpochMilli(T), java.time.ZoneOffset.UTC).withDayOfMonth(1)
                .plusMonths(monthsAfterT).atStartOfDay(java.time.ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    @Test
    void openRollupsAccumulateAcrossFlushesAndSurviveARestore() throws Exception {
        h.usage("a", "r1", "llama-3.3-70b", 1_000, 500, T);
        h.usage("a", "r2", "llama-3.3-70b", 1_000, 500, T + 1);
        h.flush();
        h.clearSide(AccountLedger.ROLLUPS);
        h.usage("a", "r3", "llama-3.3-70b", 2_000, 0, T + 2); // read back from hourly-rollups, then open
        OperatorSubtaskState snapshot = h.snapshot(); // r3 open in the account's value, its flush timer pending
        h.usage("a", "r4", "llama-3.3-70b", 5_000, 0, T + 3); // lost with the crash, replayed below

        h.restore(snapshot, 0);
        h.clearSide(AccountLedger.ROLLUPS);
        h.usage("a", "r4", "llama-3.3-70b", 5_000, 0, T + 3);
        h.usage("a", "r3", "llama-3.3-70b", 2_000, 0, T + 2); // a resend: billed once
        h.flush();

        assertThat(h.rollups()).singleElement().satisfies(r -> {
            assertThat(r.requests).isEqualTo(4);
            assertThat(r.promptTokens).isEqualTo(9_000);
            assertThat(r.completionTokens).isEqualTo(1_000);
            // 10,000 tokens at $0.20 per million
            assertThat(r.costUsd).isEqualByComparingTo("0.002");
        });
        h.clearSide(AccountLedger.ROLLUPS);
        h.usage("a", "r5", "llama-3.3-70b", 1_000_000, 0, T + 4);
        h.flush();
        assertThat(h.rollups()).singleElement().satisfies(r -> {
            assertThat(r.requests).isEqualTo(5);
            assertThat(r.costUsd).isEqualByComparingTo("0.202");
        });
    }

    @Test
    void aBurstOfManyHoursWithinOneFlushIntervalWritesEveryRowOnce() throws Exception {
        int hours = HourlyRollups.MAX_OPEN * 2 + 3;
        for (int i = 0; i < hours; i++) {
            h.usage("a", "r" + i, "llama-3.1-8b", 1_000_000, 0, T - i * 3_600_000L);
            h.usage("a", "s" + i, "llama-3.1-8b", 1_000_000, 0, T - i * 3_600_000L);
        }
        h.flush();
        assertThat(h.rollups()).hasSize(hours)
                .allSatisfy(r -> assertThat(r.costUsd).isEqualByComparingTo("0.10"))
                .extracting(r -> r.hourStartMs).doesNotHaveDuplicates();
        h.clearSide(AccountLedger.ROLLUPS);
        h.usage("a", "t", "llama-3.1-8b", 1_000_000, 0, T - 3_600_000L);
        h.flush();
        assertThat(h.rollups()).singleElement().satisfies(r -> {
            assertThat(r.requests).isEqualTo(3);
            assertThat(r.costUsd).isEqualByComparingTo("0.15");
        });
    }
}
