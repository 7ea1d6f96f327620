package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.job.JobOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.Test;

/**
 * account_balance and usage_hourly locked against writes (LOCK TABLE ... IN EXCLUSIVE MODE in an
 * open transaction) for three checkpoint timeouts while 2,000 records a second flow: accounts that
 * run dry meanwhile are cut off as fast as before the lock, checkpoints keep completing, the job
 * never restarts, and once the lock is gone PostgreSQL holds every row to the last digit.
 */
class PostgresLockIT extends PipelineTestBase {
    private static final Duration HOLD = PostgresFaultScenario.CHECKPOINT_TIMEOUT.multipliedBy(3);
    private static final Duration FAULT_AT = Duration.ofSeconds(10);

    @Test
    void aLockedTableDelaysTheRowsNeverTheCutoffs(@InjectClusterClient RestClusterClient<?> cluster) throws Exception {
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("PostgresLockIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        String url = fixture.postgres.freshSchema("it_pg_lock");
        JobOptions options = PostgresFaultScenario.options(fixture, url, fixture.postgres.user, fixture.postgres.password);
        var scenario = new PostgresFaultScenario(fixture, seed, 2_000, FAULT_AT.plus(HOLD).plusSeconds(8), FAULT_AT,
                PostgresFaultScenario.seconds(3, 7, 12, 15, 18, 21, 24).toList());
        AtomicLong writersWaiting = new AtomicLong();

        JobClient job = PostgresFaultScenario.start(options, "billing-pg-lock-it");
        try {
            scenario.warmUp(options);
            var result = scenario.run(options, job, cluster.getWebInterfaceURL(), () -> {
                try (Connection c = DriverManager.getConnection(url, fixture.postgres.user, fixture.postgres.password);
                        Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.execute("LOCK TABLE account_balance, usage_hourly IN EXCLUSIVE MODE");
                    Thread.sleep(HOLD.toMillis()); // the lock is the fault: held this long
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                            + " AND query LIKE 'INSERT INTO %'")) {
                        rs.next();
                        writersWaiting.set(rs.getLong(1));
                    }
                    c.rollback();
                }
            });
            System.out.println("PostgresLockIT (lock " + HOLD.toSeconds() + " s, checkpoint timeout "
                    + PostgresFaultScenario.CHECKPOINT_TIMEOUT.toSeconds() + " s): " + result
                    + "; sink writes waiting on the lock at its end: " + writersWaiting.get());

            assertThat(writersWaiting.get()).as("the sinks' writes were held by the lock").isPositive();
            assertThat(result.restarts()).as("restarts").isZero();
            assertThat(result.exceptions()).as("failures").isZero();
            assertThat(result.checkpointsDuringFault()).as("checkpoints completed while the tables were locked")
                    .isGreaterThanOrEqualTo(2);
            assertThat(result.failedCheckpointsDuringFault()).as("checkpoints failed while the tables were locked").isZero();
            // before this sink, a cutoff during the lock waited for its end: up to 13 s here
            assertThat(Collections.max(result.duringFault())).as("cutoff latency during the lock, ms").isLessThan(8_000);
            scenario.awaitExactRows(options);
        } finally {
            PipelineFixture.cancel(job);
        }
    }
}
