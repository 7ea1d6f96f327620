package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountBalanceRow;
import dev.billing.model.AccountEventType;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * State is cleaned up (as flink-training's long-rides test checks): once an account's billing
 * window has passed everything it ever sent, nothing of it is left in keyed state or in timers but
 * its value, which holds its balance, and the id of its newest input.
 *
 * <p>Expected counts come from the design (docs/operating.md "State size", docs/billing-rules.md "The billing window"), not from
 * a run: one value per account; one id per input inside the window; one rollup per (model, hour)
 * with usage inside it; one entry per past month with usage inside it; a timer only while a
 * monthly limit blocks.
 */
class StateCleanupTest {
    private static final long NOW = Instant.parse("2026-11-29T12:00:00Z").toEpochMilli();
    private static final long DEC_1 = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
    private static final long DAY = Duration.ofDays(1).toMillis();

    private LedgerHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new LedgerHarness(NOW);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void afterTheBillingWindowOnlyTheBalanceAndTheNewestIdOfAnAccountAreLeft() throws Exception {
        // usage in two (model, hour)s, two events, a spend alert, a monthly-limit block
        h.limits("a", "1.00", "0.50");
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, NOW - 3_600_000); // $0.05
        h.usage("a", "r2", "deepseek-v3", 2_000_000, 0, NOW - 7_200_000); // $0.50: the alert
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        h.usage("a", "r3", "deepseek-v3", 2_000_000, 0, NOW - 7_200_000); // $0.50: $1.05 >= $1.00, blocked
        h.flush();
        assertThat(h.statuses()).extracting(s -> s.status + " " + s.reasons).last().isEqualTo("BLOCKED MONTHLY_LIMIT");
        // the value, 5 ids (LIMITS_SET, r1, r2, CREDITS_PURCHASED, r3), 2 hourly rollups
        assertThat(h.keyedStateEntries("a")).isEqualTo(1 + 5 + 2);
        assertThat(h.timers()).as("the month start of the blocked account").isEqualTo(1);

        // the month start lifts the block, and November (with usage) becomes a past month
        h.advanceTo(DEC_1 + 1);
        h.flush();
        assertThat(h.statuses()).extracting(s -> s.status).last().isEqualTo("ACTIVE");
        assertThat(h.keyedStateEntries("a")).isEqualTo(1 + 5 + 2 + 1);
        assertThat(h.timers()).as("the month start fired and is not renewed").isZero();

        // a month of other accounts' newer inputs: the billing window is per account, so a's stays open
        long dec31 = DEC_1 + 30 * DAY;
        h.advanceTo(dec31);
        h.usage("b", "b1", "llama-3.1-8b", 1_000, 0, dec31);
        h.event("b", AccountEventType.CREDITS_PURCHASED, "5.00");
        h.flush();
        assertThat(h.keyedStateEntries("a")).as("a's state after b's newer inputs").isEqualTo(1 + 5 + 2 + 1);

        // a's own newer input moves a's window past all it had: its ids, rollups and past month go
        h.event("a", AccountEventType.ACCOUNT_OPENED, null); // no usage: leaves no rollup of its own
        h.flush();
        // and however far the clocks then go, nothing is left to expire and nothing waits
        h.advanceTo(dec31 + 2 * 365 * DAY);
        h.flush();

        // What must stay: the account's value, because it holds the balance, which is money: credits
        // never expire (DESIGN.md), so an account's balance stays in state forever, idle or not. And
        // the id of the account's newest input, which is inside the window by definition: the window
        // moves only with the account's own input, so that downtime never shortens it.
        assertThat(h.keyedStateEntries("a")).isEqualTo(1 + 1);
        assertThat(h.timers()).as("processing-time timers, all accounts (none is blocked)").isZero();
        assertThat(h.eventTimeTimers()).as("event-time timers, all accounts").isZero();
        AccountBalanceRow balance = h.lastBalance("a");
        assertThat(balance.creditsUsd).isEqualByComparingTo("15.00"); // 5.00 free + 10.00 bought
        assertThat(balance.spendUsd).isEqualByComparingTo("1.05");
        assertThat(balance.balanceUsd).isEqualByComparingTo("13.95");
        assertThat(balance.monthSpendUsd).isEqualByComparingTo("0");
        assertThat(balance.status).isEqualTo("ACTIVE");
        // b's state is b's: its value, its two ids, its one rollup
        assertThat(h.keyedStateEntries("b")).isEqualTo(1 + 2 + 1);
    }
}
