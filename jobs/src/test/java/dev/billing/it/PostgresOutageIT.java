package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.embedded.PrivatePostgres;
import dev.billing.job.JobOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.apache.flink.test.junit5.InjectClusterClient;

/**
 * PostgreSQL stopped (pg_ctl stop -m fast) for a minute while 1,000 records a second flow, on a
 * private PostgreSQL cluster of this test: the job keeps its first attempt (no restart), accounts
 * that run dry during the outage are cut off as fast as before it, checkpoints keep completing, and
 * once PostgreSQL is back it holds every row to the last digit.
 */
class PostgresOutageIT extends PipelineTestBase {
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final Duration FAULT_AT = Duration.ofSeconds(12);

    @Test
    void aStoppedPostgresDelaysTheRowsNeverTheCutoffs(@InjectClusterClient RestClusterClient<?> cluster) throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("PostgresOutageIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        try (PrivatePostgres own = PrivatePostgres.start(Path.of("target", "outage-it-postgres").toAbsolutePath())) {
            JobOptions options = PostgresFaultScenario.options(fixture, own.jdbcUrl("postgres"), "postgres", "");
            var scenario = new PostgresFaultScenario(fixture, seed, 1_000, FAULT_AT.plus(OUTAGE).plusSeconds(10), FAULT_AT,
                    PostgresFaultScenario.seconds(4, 8, 16, 30, 45, 60, 69).toList());

            JobClient job = PostgresFaultScenario.start(options, "billing-pg-outage-it");
            try {
                scenario.warmUp(options);
                var result = scenario.run(options, job, cluster.getWebInterfaceURL(), () -> {
                    own.stop();
                    Thread.sleep(OUTAGE.toMillis()); // the outage is the fault: this long
                    own.start();
                });
                System.out.println("PostgresOutageIT (PostgreSQL stopped " + OUTAGE.toSeconds() + " s, checkpoint timeout "
                        + PostgresFaultScenario.CHECKPOINT_TIMEOUT.toSeconds() + " s): " + result);

                assertThat(result.restarts()).as("restarts").isZero();
                assertThat(result.exceptions()).as("failures").isZero();
                assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                assertThat(result.checkpointsDuringFault()).as("checkpoints completed while PostgreSQL was down")
                        .isGreaterThanOrEqualTo(10);
                assertThat(result.failedCheckpointsDuringFault()).as("checkpoints failed while PostgreSQL was down").isZero();
                assertThat(Collections.max(result.duringFault())).as("cutoff latency during the outage, ms")
                        .isLessThan(8_000);
                scenario.awaitExactRows(options);
            } finally {
                PipelineFixture.cancel(job);
            }
        }
    }
}
