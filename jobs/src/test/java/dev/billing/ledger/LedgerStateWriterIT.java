package dev.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.LedgerModel;
import dev.billing.model.UtcMonths;
import dev.billing.workflow.WorkflowRun;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.OperatorTransformation;
import org.apache.flink.state.api.SavepointWriter;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ledger state written by {@link LedgerStateWriter} restores into the billing workflow, and the
 * flush release 0.1 still owed (an account with a rollup not yet written, its balance row not yet
 * written) runs as the restored job starts, without any input: the rollup row, the balance row and
 * a status with the balance come out. Release 0.1's committed fixtures flushed before their
 * checkpoints, so they do not show it.
 */
class LedgerStateWriterIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    @Test
    void theFlushReleaseZeroOneOwedRunsAsTheRestoredJobStarts(@TempDir Path work) throws Exception {
        long now = System.currentTimeMillis();
        long hour = Math.floorDiv(now, 3_600_000L) * 3_600_000L;
        int month = UtcMonths.of(now);
        UsageRollup open = new UsageRollup();
        open.model = "llama-3.3-70b";
        open.hourStartMs = hour;
        open.requests = 3;
        open.promptTokens = 3000;
        open.completionTokens = 300;
        open.costUsd = new BigDecimal("0.001234");
        open.listCostUsd = new BigDecimal("0.001300");
        MonthSpend spend = new MonthSpend();
        spend.listUsd = new BigDecimal("0.001300");
        spend.chargedUsd = new BigDecimal("0.001234");
        ConvertedAccount a = new ConvertedAccount();
        a.accountId = "acct-owed";
        a.state = new AccountState(
                new AccountMoney(new BigDecimal("5.00"), new BigDecimal("0.001234"), month, spend, new BigDecimal("5.00"), 0),
                new AccountTerms(null, new BigDecimal[0], new BigDecimal[0], new BigDecimal[0], null, null),
                new SentSignals(null, 0, false, false, 0),
                new Bookkeeping(hour, 0, now * 1000, 0, now, 0, hour, Integer.MAX_VALUE, now, true, -1, -1),
                new OpenRollups(new java.util.ArrayList<>(List.of(open))));
        a.flushAtMs = now - 60_000; // overdue, as any flush release 0.1 owed is by the time a restore runs
        a.seenIds = new String[] {"r:req-1", "r:req-2", "r:req-3"};
        a.seenAtMs = now;
        a.rollupKeys = new String[0];
        a.rollups = new UsageRollup[0];
        a.pastMonths = new int[0];
        a.pastMonthSpend = new MonthSpend[0];

        Path savepoint = work.resolve("converted");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        SavepointWriter.newSavepoint(env, new EmbeddedRocksDBStateBackend(), 128)
                .withOperator(OperatorIdentifier.forUid("account-ledger"), OperatorTransformation
                        .bootstrapWith(env.fromData(TypeInformation.of(ConvertedAccount.class), a))
                        .keyBy(c -> c.accountId, Types.STRING)
                        .transform(LedgerStateWriter.factory(1, List.of())))
                .write(savepoint.toUri().toString());
        env.execute("write a ledger state owing a flush");

        try (WorkflowRun run = WorkflowRun.restoring(work, savepoint)) {
            await("the open rollup's row", () -> run.rows(), Map.of("acct-owed|llama-3.3-70b|" + hour,
                    new LedgerModel.Row(3, 3000, 300, new BigDecimal("0.001234"), new BigDecimal("0.001300"))));
            await("the balance row", () -> run.balances(), Map.of("acct-owed", new LedgerModel.Balance(
                    new BigDecimal("5.00"), new BigDecimal("0.001234"), new BigDecimal("0.001234"), "ACTIVE")));
            await("a status with the balance", () -> run.finalStatuses(), Map.of("acct-owed", new LedgerModel.FinalStatus(
                    "ACTIVE", List.of(), new BigDecimal("4.998766"), new BigDecimal("0.001234"))));
        }
    }

    private static <T> void await(String what, Supplier<T> actual, T expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!expected.equals(actual.get()) && System.nanoTime() < deadline) {
            Thread.sleep(50); // the polling interval of a condition
        }
        assertThat(actual.get()).as(what).isEqualTo(expected);
    }
}
