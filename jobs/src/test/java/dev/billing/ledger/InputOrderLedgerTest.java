package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountEvent;
import dev.billing.model.AccountEventType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With watermarks on the inputs, an input more than the drift ahead of the watermark waits in
 * state for it: a topic read ahead (a source's first reads, before alignment starts) neither moves
 * the account's billing window past the other topic's older inputs nor jumps ahead of them.
 */
class InputOrderLedgerTest {
    private static final long T = Instant.parse("2026-10-01T00:00:00Z").toEpochMilli();
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private LedgerHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new LedgerHarness(T + 30 * DAY, 1, Duration.ofHours(1));
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void aPurchaseReadDaysAheadWaitsForTheUsageBeforeIt() throws Exception {
        h.watermark(T);
        purchase("10.00", T + 8 * DAY); // the events topic, read ahead of usage
        h.flush();
        assertThat(h.balances()).as("nothing applied yet").isEmpty();

        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T + 10 * 60_000L); // $0.05, within the drift: at once
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, T + 3 * HOUR); // ahead of the watermark: waits too
        h.flush();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.05");
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("5.00");

        h.watermark(T + 2 * HOUR); // r2 is within the drift now, the purchase is not
        h.flush();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.10");
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("5.00");

        OperatorSubtaskState checkpoint = h.snapshot();
        h.restore(checkpoint, 1_000); // the waiting purchase is in the checkpoint
        h.usage("a", "r3", "llama-3.1-8b", 1_000_000, 0, T + 7 * DAY - 60_000L); // a week later than r1: not TOO_LATE
        h.watermark(T + 8 * DAY);
        h.flush();

        assertThat(h.deadLetters()).as("nothing late: the purchase did not move the window early").isEmpty();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.15");
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("15.00");
    }

    @Test
    void inputsWithinTheDriftOfTheWatermarkAreAppliedAtOnce() throws Exception {
        h.watermark(T);
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T + HOUR); // exactly the drift ahead
        purchase("5.00", T - DAY); // behind the watermark: late, at once
        h.flush();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.05");
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("10.00");
    }

    @Test
    void inputsThatWereAllIdleHoldBackAgainOnceTheyRead() throws Exception {
        h.watermark(T);
        h.inputsIdle(true); // a start with nothing to read yet
        h.inputsIdle(false);
        purchase("10.00", T + 8 * DAY); // the events topic read ahead once the backlog arrives
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T + 10 * 60_000L);
        h.flush();
        assertThat(h.lastBalance("a").creditsUsd).as("the purchase waits").isEqualByComparingTo("5.00");
        h.watermark(T + 8 * DAY);
        h.flush();
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("15.00");
    }

    private void purchase(String amount, long occurredAtMs) throws Exception {
        AccountEvent e = new AccountEvent("p-" + occurredAtMs, "a", AccountEventType.CREDITS_PURCHASED, occurredAtMs);
        e.amountUsd = new BigDecimal(amount);
        h.send(e);
    }
}
