package dev.billing.output;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.PipelineFixture;
import dev.billing.model.AccountBalanceRow;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The rows a sink owes: one per key, never an older version over a newer one, whatever fails when. */
class HeldRowsTest {
    private long now = 1_000;
    private final HeldRows<AccountBalanceRow> held =
            new HeldRows<>(PostgresSinks.ACCOUNT_BALANCE, 100, 0, () -> now);

    @Test
    void keepsTheHighestVersionOfEachKey() throws Exception {
        held.add(row("a", 1, "1.00"));
        held.add(row("a", 3, "3.00"));
        held.add(row("a", 2, "2.00")); // late and older: ignored
        held.add(row("b", 1, "1.00"));
        assertThat(describe(held.snapshot())).containsExactly("a@3=3.00", "b@1=1.00");
        assertThat(held.size()).isEqualTo(2);
    }

    @Test
    void aFailedBatchGoesBackUnderTheNewerRowsThatArrivedMeanwhile() throws Exception {
        held.add(row("a", 1, "1.00"));
        held.add(row("b", 1, "1.00"));
        assertThat(describe(held.take())).containsExactly("a@1=1.00", "b@1=1.00");

        held.add(row("a", 4, "4.00")); // newer than the row in flight
        held.add(row("b", 0, "0.50")); // older than the row in flight: never held
        assertThat(describe(held.snapshot())).as("a checkpoint keeps what is in flight too")
                .containsExactlyInAnyOrder("a@4=4.00", "b@1=1.00");

        held.failed();
        assertThat(describe(held.snapshot())).containsExactlyInAnyOrder("a@4=4.00", "b@1=1.00");
        assertThat(describe(held.take())).containsExactlyInAnyOrder("a@4=4.00", "b@1=1.00");
        held.committed();
        assertThat(held.size()).isZero();
        assertThat(held.snapshot()).isEmpty();
    }

    @Test
    void theOldestAgeCountsFromWhenTheKeyFirstBecameOwed() throws Exception {
        held.add(row("a", 1, "1.00"));
        now += 5_000;
        held.add(row("a", 2, "2.00"));
        held.take();
        now += 1_000;
        held.failed();
        assertThat(held.oldestAgeMs()).isEqualTo(6_000);
        held.take();
        held.committed();
        assertThat(held.oldestAgeMs()).isZero();
    }

    @Test
    void aBatchHoldsAtMostTheBatchSize() throws Exception {
        HeldRows<AccountBalanceRow> small = new HeldRows<>(PostgresSinks.ACCOUNT_BALANCE, 2, 0, () -> now);
        small.add(row("a", 1, "1.00"));
        small.add(row("b", 1, "1.00"));
        small.add(row("c", 1, "1.00"));
        assertThat(small.take()).hasSize(2);
        assertThat(small.size()).isEqualTo(3);
        small.committed();
        assertThat(describe(small.take())).containsExactly("c@1=1.00");
    }

    @Test
    void aRowArrivingWhileTheWriterWaitsForAnyIsTakenOnceTheBatchIntervalHasPassed() throws Exception {
        HeldRows<AccountBalanceRow> timed = new HeldRows<>(PostgresSinks.ACCOUNT_BALANCE, 100, 200, HeldRows.Clock.SYSTEM);
        CompletableFuture<List<AccountBalanceRow>> taken = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                taken.complete(timed.take());
            } catch (Throwable t) {
                taken.completeExceptionally(t);
            }
        });
        writer.setDaemon(true); // a writer that never wakes must not keep the test JVM alive
        writer.start();
        PipelineFixture.awaitTrue("the writer waits for a row", () -> writer.getState() == Thread.State.WAITING);
        timed.add(row("a", 1, "1.00"));
        // nothing but the batch interval can end the wait: no flush is requested and the batch is far from full
        assertThat(describe(taken.get(10, TimeUnit.SECONDS))).containsExactly("a@1=1.00");
        writer.join();
    }

    private static AccountBalanceRow row(String account, long version, String balance) {
        AccountBalanceRow row = new AccountBalanceRow();
        row.accountId = account;
        row.version = version;
        row.balanceUsd = new BigDecimal(balance);
        return row;
    }

    private static List<String> describe(List<AccountBalanceRow> rows) {
        return rows.stream().map(r -> r.accountId + "@" + r.version + "=" + r.balanceUsd.toPlainString()).toList();
    }
}
