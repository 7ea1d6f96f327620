package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.job.JobOptions;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;

/**
 * The whole job on a MiniCluster (parallelism 2) end to end, against a real KRaft broker and the
 * real PostgreSQL: a generated dataset over accounts and hours, with resends, disorder, late
 * records, top-ups, accounts running dry and every kind of bad input. PostgreSQL, the status
 * topic and the dead-letter topic (each message valid against its schema) must match the
 * {@link LedgerModel} to the last digit. The rules themselves are proved on the same kind of
 * dataset, phase by phase, in seconds and without a broker, by {@code BillingRulesWorkflowIT};
 * this test is about the real sources and sinks carrying them.
 */
class BillingPipelineIT extends PipelineTestBase {
    @Test
    void billsEveryCentExactlyAndSignalsEachCutoffOnce() throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("BillingPipelineIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(8, ChronoUnit.HOURS).toEpochMilli();
        Dataset data = new Dataset(seed, t0, 40, 3000, 1500);
        Map<String, List<String>> expectedStatuses = data.statusChangesOfAStrongDataset();

        JobOptions options = fixture.options("it_pipeline");
        JobClient job = PipelineFixture.start(options, "billing-it");
        try {
            Map<KafkaTestClient.Sent, String> expectedDeadLetters = data.sendAndAwait(fixture, options);
            PipelineFixture.awaitEqual("dead letters", () -> expectedDeadLetters, () -> fixture.deadLetters(options.dlqTopic));
            assertThat(PipelineFixture.coarsenedTo(expectedStatuses,
                    fixture.statusHistory(options.statusTopic, s -> s.get("status").asText())))
                    .as("each account's status transitions, in order, the last one right")
                    .isEqualTo(expectedStatuses);
            assertThat(accounts(options)).doesNotContain("acct-ghost");
        } finally {
            PipelineFixture.cancel(job);
        }
    }

    private List<String> accounts(JobOptions options) throws SQLException {
        List<String> out = new ArrayList<>();
        fixture.query(options, "SELECT account_id FROM account_balance", rs -> out.add(rs.getString(1)));
        return out;
    }
}
