package dev.billing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.Dataset;
import dev.billing.it.FollowUp;
import dev.billing.it.PipelineFixture;
import dev.billing.it.PipelineTestBase;
import dev.billing.it.LedgerModel;
import dev.billing.job.JobOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checkpoints of {@code bin/billing job} are lost after it billed a dataset. The next start
 * must refuse, say why, and write nothing; an explicit {@code --rebuild-state-from-earliest}
 * must rebuild the state from the topics, so that PostgreSQL holds the independent ground truth
 * to the last digit, the job goes on from the whole history, and {@code reconcile} agrees.
 */
class LostStateIT extends PipelineTestBase {
    private static final int ACCOUNTS = 20;

    private final ExecutorService background = Executors.newCachedThreadPool();
    private ClusterClient<?> flink;

    @AfterEach
    void stopJobs() throws Exception {
        if (flink != null) {
            for (JobStatusMessage job : flink.listJobs().get()) {
                if (!job.getJobState().isGloballyTerminalState()) {
                    flink.cancel(job.getJobId()).get();
                }
            }
        }
        background.shutdownNow();
    }

    @Test
    void aStartWithoutTheCheckpointsIsRefusedAndAnExplicitRebuildRestoresEveryTotal(
            @InjectClusterClient ClusterClient<?> flink) throws Exception {
        this.flink = flink;
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("LostStateIT seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(8, ChronoUnit.HOURS).toEpochMilli();
        Dataset data = new Dataset(seed, t0, ACCOUNTS, 600, 300);
        JobOptions options = fixture.options("it_lost_state");
        List<String> job = new ArrayList<>(List.of("job",
                "--bootstrap-servers", options.bootstrapServers,
                "--jdbc-url", options.jdbcUrl, "--jdbc-user", options.jdbcUser, "--jdbc-password", options.jdbcPassword,
                "--checkpoint-dir", options.checkpointDir, "--checkpoint-interval", "1s", "--flush-interval", "300ms",
                "--parallelism", "2"));

        // billed by bin/billing job, then stopped
        Future<CliRun> first = background.submit(() -> CliRun.of(job));
        JobID firstJob = awaitNewRunningJob(Set.of());
        data.sendAndAwait(fixture, options);
        flink.cancel(firstJob).get();
        assertThat(first.get(60, TimeUnit.SECONDS).out()).contains("starting fresh");

        // the checkpoints are lost
        Path checkpoints = Path.of(java.net.URI.create(options.checkpointDir));
        try (Stream<Path> files = Files.walk(checkpoints)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertThat(checkpoints).doesNotExist();

        Map<String, LedgerModel.Row> rollupsBefore = fixture.usageHourly(options);
        Map<String, LedgerModel.Balance> balancesBefore = fixture.balances(options);
        assertThat(balancesBefore).isEqualTo(data.model.balances());
        Map<TopicPartition, Long> outputsBefore = ends(options, options.statusTopic, options.alertsTopic, options.dlqTopic);
        Set<JobID> jobsBefore = jobIds();

        CliRun refused = background.submit(() -> CliRun.of(job)).get(60, TimeUnit.SECONDS);
        assertThat(refused.exitCode()).as(refused.printed()).isEqualTo(2);
        assertThat(refused.err())
                .contains("consumer group 'billing-job' has committed offsets on usage-records, account-events, rate-cards")
                .contains("account_balance holds " + balancesBefore.size() + " accounts")
                .contains("no retained checkpoint in " + options.checkpointDir)
                .contains("free credits again")
                .contains("flink run -s")
                .contains("--rebuild-state-from-earliest");
        assertThat(fixture.usageHourly(options)).as("usage_hourly untouched").isEqualTo(rollupsBefore);
        assertThat(fixture.balances(options)).as("account_balance untouched").isEqualTo(balancesBefore);
        assertThat(ends(options, options.statusTopic, options.alertsTopic, options.dlqTopic))
                .as("no status, alert or dead letter published").isEqualTo(outputsBefore);
        assertThat(jobIds()).as("no job submitted").isEqualTo(jobsBefore);

        // rebuilt explicitly from the topics' beginning, then more input
        List<String> rebuild = new ArrayList<>(job);
        rebuild.add("--rebuild-state-from-earliest");
        Future<CliRun> rebuilding = background.submit(() -> CliRun.of(rebuild));
        JobID rebuiltJob = awaitNewRunningJob(jobsBefore);
        fixture.client.send(FollowUp.purchasesAndUsage(data, t0, ACCOUNTS));
        PipelineFixture.awaitEqual("rebuilt rollups", data.model::rows, () -> fixture.usageHourly(options));
        PipelineFixture.awaitEqual("rebuilt balances", data.model::balances, () -> fixture.balances(options));
        PipelineFixture.awaitTrue("a checkpoint of the rebuilt state", () -> hasCheckpoint(checkpoints));

        CliRun again = background.submit(() -> CliRun.of(rebuild)).get(60, TimeUnit.SECONDS);
        assertThat(again.exitCode()).as(again.printed()).isEqualTo(2);
        assertThat(again.err()).contains("Refusing --rebuild-state-from-earliest").contains("chk-");
        flink.cancel(rebuiltJob).get();
        assertThat(rebuilding.get(60, TimeUnit.SECONDS).out()).contains("Rebuilding the state from the earliest records");

        Instant from = Instant.ofEpochMilli(t0).minus(1, ChronoUnit.DAYS);
        Instant to = Instant.ofEpochMilli(t0).plus(8, ChronoUnit.HOURS);
        CliRun reconcile = CliRun.of(List.of("reconcile", "--from", from.toString(), "--to", to.toString(),
                "--work-schema", "it_lost_state_work", "--format", "CSV", "--parallelism", "2",
                "--bootstrap-servers", options.bootstrapServers, "--jdbc-url", options.jdbcUrl,
                "--jdbc-user", options.jdbcUser, "--jdbc-password", options.jdbcPassword));
        assertThat(reconcile.exitCode()).as(reconcile.printed()).isZero();
        assertThat(reconcile.err()).contains("No differences.");
    }

    private Set<JobID> jobIds() throws Exception {
        return FlinkJobs.ids(flink);
    }

    private JobID awaitNewRunningJob(Set<JobID> known) throws Exception {
        return FlinkJobs.awaitNewRunning(flink, known);
    }

    private static boolean hasCheckpoint(Path root) throws Exception {
        if (!Files.isDirectory(root)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(root, 3)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("_metadata")
                    && p.getParent().getFileName().toString().startsWith("chk-"));
        }
    }

    /** End offsets of the topics: unchanged when nothing was published to them. */
    private static Map<TopicPartition, Long> ends(JobOptions options, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", options.bootstrapServers))) {
            Set<TopicPartition> partitions = new HashSet<>();
            for (var d : admin.describeTopics(List.of(topics)).allTopicNames().get().values()) {
                d.partitions().forEach(p -> partitions.add(new TopicPartition(d.name(), p.partition())));
            }
            return admin.listOffsets(partitions.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
                    .all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }
}
