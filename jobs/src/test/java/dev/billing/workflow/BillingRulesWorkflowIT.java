package dev.billing.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.Dataset;
import dev.billing.it.KafkaTestClient;
import dev.billing.it.PipelineFixture;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The billing rules over a generated dataset, on the workflow without a broker: many accounts and
 * hours, effective-dated list prices, a new model and an override, accounts opened before and
 * racing their usage, resends of the same bytes, disorder, top-ups and retried purchases, signed
 * adjustments, accounts running dry and coming back, a record past the billing window and every
 * kind of bad input. After each of the dataset's phases the rollups and balances, and in the end
 * the dead letters (each where its input was, with its reason), every account's status transitions
 * and the final statuses, must equal the {@link dev.billing.it.LedgerModel}, to the last digit.
 * {@code BillingPipelineIT} runs a dataset of the same kind end to end through Kafka and
 * PostgreSQL.
 */
class BillingRulesWorkflowIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @Test
    void billsEveryCentExactlyAndSignalsEachCutoffOnce(@TempDir Path work) throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("BillingRulesWorkflowIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(8, ChronoUnit.HOURS).toEpochMilli();
        Dataset data = new Dataset(seed, t0, 40, 3000, 1500);
        Map<String, List<String>> expectedStatuses = data.statusChangesOfAStrongDataset();

        try (WorkflowRun run = WorkflowRun.start(work)) {
            Map<KafkaTestClient.Sent, String> deadLetters = new HashMap<>();
            // prices and openings are in the ledger before the usage they concern
            deadLetters.putAll(run.phase(Stream.concat(data.rates.stream(), data.opens.stream()).toList()));

            deadLetters.putAll(run.phase(data.phase1));
            assertThat(run.rows()).as("phase 1 rollups").isEqualTo(data.afterPhase1.rows());
            assertThat(run.balances()).as("phase 1 balances").isEqualTo(data.afterPhase1.balances());

            deadLetters.putAll(run.phase(data.phase2));
            assertThat(run.balances()).as("phase 2 balances").isEqualTo(data.afterPhase2.balances());

            deadLetters.putAll(run.phase(data.phase3));
            assertThat(run.rows()).as("final rollups").isEqualTo(data.model.rows());
            assertThat(run.balances()).as("final balances").isEqualTo(data.model.balances());
            assertThat(run.deadLetters()).as("each bad input dead-lettered once, where it was, with its reason")
                    .isEqualTo(deadLetters);
            assertThat(PipelineFixture.coarsenedTo(expectedStatuses, run.statusHistory(s -> s.status)))
                    .as("each account's status transitions, in order, the last one right").isEqualTo(expectedStatuses);
            assertThat(run.finalStatuses()).as("what a gateway holds in the end").isEqualTo(data.model.finalStatuses());
            assertThat(run.balances()).doesNotContainKey("acct-ghost");
        }
    }
}
