package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.embedded.PrivatePostgres;
import dev.billing.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;

/**
 * The rows a sink owes while PostgreSQL is down are in its savepoint: the job is stopped with a
 * savepoint during the outage, PostgreSQL comes back, and the job restored from the savepoint, with
 * no new input, writes them, to the last digit.
 */
class PostgresHeldRowsSavepointIT extends PipelineTestBase {
    private static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};

    private final LedgerModel model = new LedgerModel(System.currentTimeMillis());
    private Random random;
    private int requestSeq;

    @Test
    void aSavepointTakenDuringAnOutageKeepsTheRowsOwedAndTheRestoredJobWritesThem(
            @InjectClusterClient RestClusterClient<?> cluster) throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("PostgresHeldRowsSavepointIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        random = new Random(seed);
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS).toEpochMilli();
        Path savepoints = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "sp");
        try (PrivatePostgres own = PrivatePostgres.start(Path.of("target", "savepoint-it-postgres").toAbsolutePath())) {
            JobOptions options = PostgresFaultScenario.options(fixture, own.jdbcUrl("postgres"), "postgres", "");
            String topic = options.usageTopic;
            JobClient job = PostgresFaultScenario.start(options, "billing-held-rows-it");
            String savepoint;
            try {
                fixture.client.send(usage(topic, 300, t0));
                PipelineFixture.awaitEqual("rows before the outage", model::rows, () -> fixture.usageHourly(options));
                PipelineFixture.awaitEqual("balances before the outage", model::balances, () -> fixture.balances(options));

                own.stop();
                fixture.client.send(usage(topic, 300, t0));
                var rest = new PostgresFaultScenario.FlinkRest(cluster.getWebInterfaceURL(), job.getJobID().toHexString());
                PipelineFixture.awaitTrue("the input read and committed by a checkpoint",
                        () -> fixture.client.groupCaughtUp(options.groupId, topic));
                long seen = rest.completedCheckpoints();
                // the ledger hands its rows to the sinks every flush interval: two checkpoints later they are in the sinks' state
                PipelineFixture.awaitTrue("two more checkpoints", () -> rest.completedCheckpoints() >= seen + 2);
                savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get();
                System.out.println("savepoint during the outage: " + savepoint);
            } catch (Exception e) {
                PipelineFixture.cancel(job);
                throw e;
            }

            own.start();
            assertThat(fixture.usageHourly(options)).as("the rows owed were not written before the restore")
                    .isNotEqualTo(model.rows());
            JobClient restored = PostgresFaultScenario.start(options, "billing-held-rows-restored-it", savepoint);
            try {
                PipelineFixture.awaitEqual("rows, written from the savepoint's held rows", model::rows,
                        () -> fixture.usageHourly(options));
                PipelineFixture.awaitEqual("balances, written from the savepoint's held rows", model::balances,
                        () -> fixture.balances(options));
            } finally {
                PipelineFixture.cancel(restored);
            }
        }
    }

    private List<TestMessage> usage(String topic, int n, long t0) {
        List<TestMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String account = String.format("acct-%03d", random.nextInt(40));
            String modelName = MODELS[random.nextInt(MODELS.length)];
            long prompt = 10 + random.nextInt(50_000);
            long completion = random.nextInt(20_000);
            long at = t0 + random.nextInt(2 * 3_600_000);
            String requestId = "sp-" + (++requestSeq);
            model.usage(requestId, account, modelName, prompt, completion, at);
            out.add(TestMessage.valid(topic, account,
                    UsageJson.of(requestId, account, modelName, prompt, completion, at, null).toString()));
        }
        return out;
    }
}
