package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountEventType;
import dev.billing.model.AccountStatus;
import dev.billing.model.BillingAlert;
import dev.billing.model.RejectReason;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Monthly hard limits, spend and low-balance alerts, volume discounts, late data and rate-card order. */
class LimitsAlertsAndDiscountsTest {
    private static final long NOW = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final long T = NOW - 3_600_000;
    private static final long DEC_1 = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    /** deepseek-v3 lists at $0.25 per million prompt tokens: tokens for a given number of dollars. */
    private static final long ONE_DOLLAR = 4_000_000;
    private static final long FIFTY_CENTS = ONE_DOLLAR / 2;

    private LedgerHarness h;
    private int request;

    @BeforeEach
    void setUp() throws Exception {
        h = new LedgerHarness(NOW);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void reachingTheMonthlyLimitExactlyBlocksOnce() throws Exception {
        h.limits("a", "1.00");
        spend("a", FIFTY_CENTS);
        spend("a", FIFTY_CENTS);
        spend("a", FIFTY_CENTS); // in flight when the cutoff went out: billed, no new status

        assertThat(h.statuses()).extracting(s -> s.status + " " + s.reasons)
                .containsExactly("ACTIVE ", "BLOCKED MONTHLY_LIMIT");
        assertThat(h.statuses().get(1).monthSpendUsd).isEqualByComparingTo("1.00");
        h.flush();
        assertThat(h.lastBalance("a").monthSpendUsd).isEqualByComparingTo("1.50");
    }

    @Test
    void theBalanceRowCarriesTheLimitTheThresholdsAndTheFreeCreditsLeft() throws Exception {
        h.limits("a", "20.00", "15.00", "10.00");
        spend("a", 3 * ONE_DOLLAR); // $3.00 of the $5.00 free credits spent
        h.flush();
        assertThat(h.lastBalance("a").monthlyHardLimitUsd).isEqualByComparingTo("20.00");
        assertThat(h.lastBalance("a").alertThresholdsUsd).extracting(BigDecimal::toPlainString)
                .containsExactly("10.00", "15.00");
        assertThat(h.lastBalance("a").freeCreditsLeftUsd).isEqualByComparingTo("2.00");

        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        h.limits("a", null);
        spend("a", 4 * ONE_DOLLAR); // $7.00 spent in all: the free credits are gone, the purchase pays the rest
        h.flush();
        assertThat(h.lastBalance("a").freeCreditsLeftUsd).isEqualByComparingTo("0");
        assertThat(h.lastBalance("a").balanceUsd).isEqualByComparingTo("8.00");
        assertThat(h.lastBalance("a").monthlyHardLimitUsd).isNull();
        assertThat(h.lastBalance("a").alertThresholdsUsd).isEmpty();
    }

    @Test
    void theMonthRolloverLiftsTheLimitWithoutTraffic() throws Exception {
        h.limits("a", "1.00");
        spend("a", ONE_DOLLAR);
        h.advanceTo(DEC_1 - 1);
        assertThat(last().status).isEqualTo("BLOCKED");

        h.advanceTo(DEC_1);
        AccountStatus lifted = last();
        assertThat(lifted.status).isEqualTo("ACTIVE");
        assertThat(lifted.monthSpendUsd).isEqualByComparingTo("0");
        assertThat(lifted.asOfMs).isEqualTo(DEC_1);
    }

    @Test
    void aRecordStampedAheadOfTheClockDoesNotLiftTheBlockEarlyAndCountsInItsOwnMonth() throws Exception {
        h.limits("a", "1.00");
        spend("a", ONE_DOLLAR);
        h.advanceTo(DEC_1 - 300_000);
        h.usage("a", "december", "deepseek-v3", FIFTY_CENTS, 0, DEC_1 + 60_000); // the node's clock is ahead
        h.flush();

        assertThat(transitions()).as("November's block holds until the clock is in December")
                .containsExactly("ACTIVE", "BLOCKED");
        assertThat(h.lastBalance("a").monthSpendUsd).as("November's spend").isEqualByComparingTo("1.00");
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("1.50");

        h.advanceTo(DEC_1);
        assertThat(transitions()).containsExactly("ACTIVE", "BLOCKED", "ACTIVE");
        assertThat(last().monthSpendUsd).as("December starts with the record stamped in it").isEqualByComparingTo("0.50");
    }

    @Test
    void spendStampedAheadUpToTheLimitKeepsTheAccountBlockedIntoTheNewMonth() throws Exception {
        h.limits("a", "1.00");
        spend("a", ONE_DOLLAR);
        h.advanceTo(DEC_1 - 300_000);
        h.usage("a", "december", "deepseek-v3", ONE_DOLLAR, 0, DEC_1 + 60_000);
        h.advanceTo(DEC_1);
        h.flush();

        assertThat(transitions()).containsExactly("ACTIVE", "BLOCKED");
        assertThat(last().asOfMs).as("December's status").isEqualTo(DEC_1 + LedgerHarness.FLUSH_MS);
        assertThat(h.lastBalance("a").monthSpendUsd).as("December's limit is reached by then").isEqualByComparingTo("1.00");
        assertThat(h.timers()).as("the next month start, for December's block").isEqualTo(1);
    }

    @Test
    void raisingOrClearingTheLimitUnblocksAtOnce() throws Exception {
        h.limits("a", "1.00");
        spend("a", ONE_DOLLAR);
        h.limits("a", "2.00");
        spend("a", ONE_DOLLAR);
        h.limits("a", null);

        assertThat(h.statuses()).extracting(s -> s.status)
                .containsExactly("ACTIVE", "BLOCKED", "ACTIVE", "BLOCKED", "ACTIVE");
    }

    @Test
    void anAccountBlockedForBothReasonsStaysBlockedUntilBothClear() throws Exception {
        h.limits("a", "6.00");
        spend("a", 5 * ONE_DOLLAR); // balance 0
        spend("a", ONE_DOLLAR); // month spend 6.00, balance -1.00
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        h.limits("a", "10.00");

        assertThat(h.statuses()).extracting(s -> s.status + " " + s.reasons).containsExactly(
                "ACTIVE ",
                "BLOCKED BALANCE_EXHAUSTED",
                "BLOCKED BALANCE_EXHAUSTED,MONTHLY_LIMIT",
                "BLOCKED MONTHLY_LIMIT",
                "ACTIVE ");
    }

    @Test
    void eachThresholdAlertsOncePerMonthAlsoAfterARestore() throws Exception {
        h.limits("a", null, "2.00", "1.00");
        spend("a", FIFTY_CENTS);
        spend("a", FIFTY_CENTS); // 1.00: reaches the first threshold exactly
        spend("a", 3 * FIFTY_CENTS); // 2.50: the second
        spend("a", FIFTY_CENTS);
        List<BillingAlert> november = alerts(BillingAlert.SPEND_THRESHOLD);
        OperatorSubtaskState afterAlerts = h.snapshot();
        h.restore(afterAlerts, 1_000);
        spend("a", FIFTY_CENTS);
        assertThat(h.alerts()).as("no alert repeats after a restore").isEmpty();

        h.advanceTo(DEC_1 + 1_000);
        h.usage("a", "december", "deepseek-v3", ONE_DOLLAR, 0, DEC_1 + 500);

        assertThat(november).extracting(a -> a.alertId)
                .containsExactly("a/SPEND_THRESHOLD/2026-11/1.00", "a/SPEND_THRESHOLD/2026-11/2.00");
        assertThat(november.get(0).monthSpendUsd).isEqualByComparingTo("1.00");
        assertThat(november.get(1).monthSpendUsd).isEqualByComparingTo("2.50");
        assertThat(alerts(BillingAlert.SPEND_THRESHOLD)).extracting(a -> a.alertId)
                .containsExactly("a/SPEND_THRESHOLD/2026-12/1.00");
    }

    @Test
    void aLowBalanceAlertsOncePerTopUp() throws Exception {
        spend("a", 46 * ONE_DOLLAR / 10); // balance 0.40, under 10 % of the $5.00 free credits
        spend("a", ONE_DOLLAR / 10);
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00"); // balance 10.30
        spend("a", 95 * ONE_DOLLAR / 10); // balance 0.80, under 10 % of $10.00

        List<BillingAlert> low = alerts(BillingAlert.LOW_BALANCE);
        assertThat(low).extracting(a -> a.alertId).containsExactly("a/LOW_BALANCE/0", "a/LOW_BALANCE/1");
        assertThat(low.get(0).balanceUsd).isEqualByComparingTo("0.40");
        assertThat(low.get(1).thresholdUsd).isEqualByComparingTo("1.00");
    }

    @Test
    void aVolumeDiscountStartsExactlyAtItsTierBoundary() throws Exception {
        h.event("a", AccountEventType.CREDITS_PURCHASED, "100.00");
        h.discounts("a", "1.00", "12.5");
        spend("a", 8 * ONE_DOLLAR / 10); // 0.80 at list
        spend("a", FIFTY_CENTS); // straddles: 0.20 at list + 0.30 at 87.5 % = 0.4625
        spend("a", ONE_DOLLAR); // 0.875
        h.flush();

        assertThat(h.rollups()).singleElement().satisfies(r -> {
            assertThat(r.listCostUsd).isEqualByComparingTo("2.30");
            assertThat(r.costUsd).isEqualByComparingTo("2.1375");
        });
        assertThat(h.lastBalance("a").monthSpendUsd).isEqualByComparingTo("2.1375");
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("2.1375");
    }

    @Test
    void aLateRecordOfLastMonthCountsThereAndNotTowardThisMonthsLimit() throws Exception {
        h.advanceTo(DEC_1 + 3_600_000);
        h.limits("a", "1.00");
        long nov30 = DEC_1 - 3_600_000;
        h.usage("a", "late", "deepseek-v3", 2 * ONE_DOLLAR, 0, nov30);
        h.flush();

        assertThat(h.statuses()).extracting(s -> s.status).containsOnly("ACTIVE");
        assertThat(h.lastBalance("a").monthSpendUsd).isEqualByComparingTo("0");
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("2.00");
        assertThat(h.rollups()).singleElement().satisfies(r -> assertThat(r.hourStartMs).isEqualTo(nov30));
    }

    @Test
    void aLateRecordOfAMonthTheAccountSkippedCountsThereAndNotInTheMonthOfTheClock() throws Exception {
        h.advanceTo(Instant.parse("2026-10-31T22:00:00Z").toEpochMilli());
        h.limits("a", "1.00"); // the account opens in October
        h.advanceTo(DEC_1 + 3_600_000); // nothing in November; the clock is in December
        long nov30 = DEC_1 - 3_600_000;
        h.usage("a", "late", "deepseek-v3", 2 * ONE_DOLLAR, 0, nov30); // ahead of the account's newest input
        h.flush();

        assertThat(h.statuses()).extracting(s -> s.status).containsOnly("ACTIVE"); // $2.00 is November's
        assertThat(h.lastBalance("a").monthSpendUsd).isEqualByComparingTo("0");
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("2.00");
        // a December record is charged against December's limit alone
        h.usage("a", "december", "deepseek-v3", ONE_DOLLAR / 2, 0, DEC_1 + 3_600_000);
        h.flush();
        assertThat(h.lastBalance("a").monthSpendUsd).isEqualByComparingTo("0.50");
        assertThat(h.statuses()).extracting(s -> s.status).containsOnly("ACTIVE");
    }

    @Test
    void anOlderRateCardArrivingAfterANewerOneNeverWins() throws Exception {
        h.rate("m", "0.30", "0.30", T + 7_200_000, null);
        h.rate("m", "0.20", "0.20", T + 3_600_000, null);
        h.usage("a", "r1", "m", 1_000_000, 0, T + 3 * 3_600_000);
        h.usage("b", "r2", "m", 1_000_000, 0, T + 5_400_000);
        h.usage("c", "r3", "m", 1_000_000, 0, T);
        h.flush();

        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.30");
        assertThat(h.lastBalance("b").spendUsd).isEqualByComparingTo("0.20");
        assertThat(h.deadLetters()).extracting(d -> d.reason).containsExactly(RejectReason.UNKNOWN_MODEL);
    }

    private void spend(String account, long deepseekPromptTokens) throws Exception {
        h.usage(account, "r" + (++request), "deepseek-v3", deepseekPromptTokens, 0, Math.min(T, h.now));
    }

    /** The statuses published, a status repeated unchanged (a flush publishing a moved balance) folded into one. */
    private List<String> transitions() {
        List<String> out = new java.util.ArrayList<>();
        for (AccountStatus s : h.statuses()) {
            if (out.isEmpty() || !out.get(out.size() - 1).equals(s.status)) {
                out.add(s.status);
            }
        }
        return out;
    }

    private AccountStatus last() {
        List<AccountStatus> all = h.statuses();
        return all.get(all.size() - 1);
    }

    private List<BillingAlert> alerts(String type) {
        return h.alerts().stream().filter(a -> a.type.equals(type)).toList();
    }
}
