package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.model.AccountEventType;
import java.time.Instant;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The ledger's bundles: closed by time, by size, by a rate card and before every checkpoint barrier. */
class LedgerBundlesTest {
    private static final long T = Instant.parse("2026-11-10T12:00:00Z").toEpochMilli();
    private static final int BUNDLE = 5;

    private LedgerHarness h;

    @BeforeEach
    void setUp() throws Exception {
        h = new LedgerHarness(T + 3_600_000, BUNDLE);
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    @Test
    void aBundleClosesOnTimeAndEachAccountDecidesItsStatusOnce() throws Exception {
        h.usage("a", "r1", "deepseek-v3", 10_000_000, 0, T); // $2.50
        h.usage("a", "r2", "deepseek-v3", 10_000_000, 0, T); // $5.00: exhausted
        h.usage("b", "r1", "deepseek-v3", 1_000, 0, T);
        assertThat(h.statuses()).as("nothing leaves while the bundle is open").isEmpty();

        h.advanceTo(h.now + LedgerHarness.BUNDLE_MS);

        assertThat(h.statuses()).extracting(s -> s.accountId + " " + s.status)
                .containsExactly("a BLOCKED", "b ACTIVE");
    }

    @Test
    void aBundleClosesAtItsSize() throws Exception {
        for (int i = 0; i < BUNDLE; i++) {
            h.usage("acct-" + i, "r", "deepseek-v3", 1_000, 0, T);
        }
        assertThat(h.statuses()).hasSize(BUNDLE);
    }

    @Test
    void aResendInsideOneBundleIsFoundInHeapAndBilledOnce() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // $0.05
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.event("a", AccountEventType.CREDITS_PURCHASED, "10.00");
        h.flush();

        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.05");
        assertThat(h.lastBalance("a").creditsUsd).isEqualByComparingTo("15.00");
        assertThat(h.rollups()).singleElement().satisfies(r -> assertThat(r.requests).isEqualTo(1));
    }

    @Test
    void aCheckpointClosesTheBundleAndFlushesBeforeTheBarrierSoARestoreLosesNothing() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, T);
        OperatorSubtaskState snapshot = h.snapshot(); // the sources' offsets are past r1 and r2 now
        assertThat(h.statuses()).as("out before the barrier").singleElement();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.10");

        h.restore(snapshot, 1_000);
        h.usage("a", "r3", "llama-3.1-8b", 1_000_000, 0, T);
        h.flush();
        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("0.15");
        assertThat(h.rollups()).singleElement().satisfies(r -> assertThat(r.requests).isEqualTo(3));
    }

    @Test
    void aRateCardClosesTheBundleSoEarlierRecordsKeepTheEarlierPrice() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T); // $0.05 at the list price
        h.rate("llama-3.1-8b", "1.00", "1.00", T - 3_600_000, "a"); // an override that covers r1's time
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, T); // $1.00 at the override
        h.flush();

        assertThat(h.lastBalance("a").spendUsd).isEqualByComparingTo("1.05");
    }

    @Test
    void aBalanceThatMovedWithoutAStatusChangeIsPublishedOnceAtTheFlush() throws Exception {
        h.usage("a", "r1", "llama-3.1-8b", 1_000_000, 0, T);
        h.advanceTo(h.now + LedgerHarness.BUNDLE_MS); // new account: its first status, $4.95
        h.usage("a", "r2", "llama-3.1-8b", 1_000_000, 0, T);
        h.usage("a", "r3", "llama-3.1-8b", 1_000_000, 0, T);
        h.advanceTo(h.now + LedgerHarness.BUNDLE_MS); // still ACTIVE: no status yet
        assertThat(h.statuses()).singleElement().satisfies(s -> assertThat(s.balanceUsd).isEqualByComparingTo("4.95"));

        h.flush();
        assertThat(h.statuses()).hasSize(2);
        assertThat(h.statuses().get(1).balanceUsd).isEqualByComparingTo("4.85");
        h.flush(); // nothing moved since
        assertThat(h.statuses()).hasSize(2);
    }
}
