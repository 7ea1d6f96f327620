package dev.billing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.Dataset;
import dev.billing.it.FollowUp;
import dev.billing.it.PipelineFixture;
import dev.billing.it.PipelineTestBase;
import dev.billing.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade guide's steps with {@code bin/billing}: a job that billed a dataset is stopped with
 * {@code stop-with-savepoint}, and {@code job --from-savepoint} resumes from it and bills more, every
 * rollup and balance equal to the independent model to the last digit.
 */
class StopWithSavepointIT extends PipelineTestBase {
    private static final int ACCOUNTS = 12;

    private final ExecutorService background = Executors.newCachedThreadPool();
    private ClusterClient<?> flink;

    @AfterEach
    void stopJobs() throws Exception {
        if (flink != null) {
            for (JobID job : FlinkJobs.ids(flink)) {
                if (!flink.getJobStatus(job).get().isGloballyTerminalState()) {
                    flink.cancel(job).get();
                }
            }
        }
        background.shutdownNow();
    }

    @Test
    void stopsWithASavepointAndResumesFromItWithEveryTotalExact(@InjectClusterClient ClusterClient<?> flink,
            @TempDir Path savepoints) throws Exception {
        this.flink = flink;
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("StopWithSavepointIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(8, ChronoUnit.HOURS).toEpochMilli();
        Dataset data = new Dataset(seed, t0, ACCOUNTS, 300, 150);
        JobOptions options = fixture.options("it_stop_with_savepoint");
        List<String> job = new ArrayList<>(List.of("job",
                "--bootstrap-servers", options.bootstrapServers,
                "--jdbc-url", options.jdbcUrl, "--jdbc-user", options.jdbcUser, "--jdbc-password", options.jdbcPassword,
                "--checkpoint-dir", options.checkpointDir, "--checkpoint-interval", "1s", "--flush-interval", "300ms",
                "--parallelism", "2"));

        Future<CliRun> first = background.submit(() -> CliRun.of(job));
        JobID firstJob = FlinkJobs.awaitNewRunning(flink, Set.of());
        data.sendAndAwait(fixture, options);

        CliRun stop = CliRun.of(List.of("stop-with-savepoint", "--rest-url", flink.getWebInterfaceURL(),
                "--savepoint-dir", savepoints.toString()));
        assertThat(stop.exitCode()).as(stop.printed()).isZero();
        // CliRun's capture of stdout is the JVM's, which the stopped job's command restores as it ends:
        // the savepoint is found where it was written, not in what the command printed
        List<Path> written;
        try (java.util.stream.Stream<Path> entries = Files.list(savepoints)) {
            written = entries.filter(p -> Files.exists(p.resolve("_metadata"))).toList();
        }
        assertThat(written).as("one savepoint").hasSize(1);
        String savepoint = written.get(0).toUri().toString();
        assertThat(first.get(60, TimeUnit.SECONDS).exitCode()).as("the stopped job's command ends").isZero();
        assertThat(flink.getJobStatus(firstJob).get()).isEqualTo(JobStatus.FINISHED);

        List<String> resume = new ArrayList<>(job);
        resume.addAll(List.of("--from-savepoint", savepoint));
        Future<CliRun> second = background.submit(() -> CliRun.of(resume));
        JobID secondJob = FlinkJobs.awaitNewRunning(flink, Set.of(firstJob));
        fixture.client.send(FollowUp.purchasesAndUsage(data, t0, ACCOUNTS));
        PipelineFixture.awaitEqual("rollups after the restore", data.model::rows, () -> fixture.usageHourly(options));
        PipelineFixture.awaitEqual("balances after the restore", data.model::balances, () -> fixture.balances(options));
        flink.cancel(secondJob).get();
        second.get(60, TimeUnit.SECONDS); // its command ends with the cancelled job
    }
}
