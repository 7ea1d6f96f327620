package dev.billing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.Dataset;
import dev.billing.it.FollowUp;
import dev.billing.it.History;
import dev.billing.job.Topics;
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
    private static final java.time.Duration CATCH_UP = java.time.Duration.ofMinutes(8);

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

    /**
     * Three months of history across month boundaries (purchases, limits, discounts, auto top-ups,
     * resends), billed by {@code bin/billing job} as a backlog; the checkpoints and the rows lost,
     * rebuilt: the tables equal the model again, nothing is dead-lettered, the rebuild asks for no
     * top-up the first run did not, and {@code reconcile} over the three months agrees.
     */
    @Test
    void threeMonthsOfHistoryAreRebuiltToTheLastDigitAndReconcileAgrees(@InjectClusterClient ClusterClient<?> flink)
            throws Exception {
        this.flink = flink;
        long seed = Long.getLong("billing.seed", System.nanoTime());
        System.out.println("LostStateIT history seed=" + seed + " (rerun with -Dbilling.seed=" + seed + ")");
        long now = System.currentTimeMillis();
        long end = now - 2 * LedgerModel.HOUR;
        long start = end - 88 * 24 * LedgerModel.HOUR;
        History history = new History(seed, start, end, 6, 6 * LedgerModel.HOUR, now);
        JobOptions options = fixture.options("it_lost_history", "--group-id", "history", "--usage-topic", "h-usage",
                "--events-topic", "h-events", "--rates-topic", "h-rates", "--status-topic", "h-status",
                "--alerts-topic", "h-alerts", "--payment-requests-topic", "h-payments", "--dlq-topic", "h-dlq");
        List<String> job = new ArrayList<>(List.of("job",
                "--bootstrap-servers", options.bootstrapServers, "--group-id", options.groupId,
                "--usage-topic", options.usageTopic, "--events-topic", options.eventsTopic, "--rates-topic",
                options.ratesTopic, "--status-topic", options.statusTopic, "--alerts-topic", options.alertsTopic,
                "--payment-requests-topic", options.paymentRequestsTopic, "--dlq-topic", options.dlqTopic,
                "--jdbc-url", options.jdbcUrl, "--jdbc-user", options.jdbcUser, "--jdbc-password", options.jdbcPassword,
                "--checkpoint-dir", options.checkpointDir, "--checkpoint-interval", "1s", "--flush-interval", "300ms",
                "--input-max-drift", "3h", "--parallelism", "2"));
        Topics.ensure(options);
        fixture.client.send(history.messages(options)); // a backlog of three months when the job starts

        Set<JobID> before = jobIds();
        Future<CliRun> first = background.submit(() -> CliRun.of(job));
        JobID firstJob = awaitNewRunningJob(before);
        PipelineFixture.awaitEqual("rollups", history.model::rows, () -> fixture.usageHourly(options), CATCH_UP);
        PipelineFixture.awaitEqual("balances", history.model::balances, () -> fixture.balances(options), CATCH_UP);
        PipelineFixture.awaitTrue("a checkpoint after the backlog", () -> fixture.client.groupCaughtUp(options.groupId,
                options.usageTopic) && fixture.client.groupCaughtUp(options.groupId, options.eventsTopic));
        List<String> requested = paymentRequests(options);
        assertThat(requested).as("the model's top-ups").containsExactlyInAnyOrderElementsOf(history.model.topUpRequests()
                .stream().map(r -> r.requestId() + " " + r.amount().stripTrailingZeros().toPlainString()).toList());
        flink.cancel(firstJob).get();
        first.get(60, TimeUnit.SECONDS);
        Path checkpoints = Path.of(java.net.URI.create(options.checkpointDir));
        try (Stream<Path> files = Files.walk(checkpoints)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }

        // the rows go too, so that what the tables hold afterwards is the rebuild's alone
        try (var c = java.sql.DriverManager.getConnection(options.jdbcUrl, options.jdbcUser, options.jdbcPassword);
                var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM usage_hourly");
            st.executeUpdate("DELETE FROM account_balance");
        }
        List<String> rebuild = new ArrayList<>(job);
        rebuild.add("--rebuild-state-from-earliest");
        Set<JobID> jobsBefore = jobIds();
        Future<CliRun> rebuilding = background.submit(() -> CliRun.of(rebuild));
        JobID rebuiltJob = awaitNewRunningJob(jobsBefore);
        PipelineFixture.awaitEqual("rebuilt rollups", history.model::rows, () -> fixture.usageHourly(options), CATCH_UP);
        PipelineFixture.awaitEqual("rebuilt balances", history.model::balances, () -> fixture.balances(options), CATCH_UP);
        PipelineFixture.awaitTrue("the rebuild's top-ups", () -> paymentRequests(options).size() >= 2 * requested.size());
        List<String> twice = new ArrayList<>(requested);
        twice.addAll(requested);
        assertThat(paymentRequests(options)).as("the rebuild asks again for the first run's top-ups (their ids are"
                + " known to the payments service), for none it did not make").containsExactlyInAnyOrderElementsOf(twice);
        assertThat(fixture.readValid(options.dlqTopic, "dead-letter")).as("no dead letter, no TOO_LATE")
                .extracting(d -> d.get("reason").asText() + ": " + d.get("detail").asText()).isEmpty();
        flink.cancel(rebuiltJob).get();
        assertThat(rebuilding.get(60, TimeUnit.SECONDS).out()).contains("Rebuilding the state from the earliest records")
                .contains("Topic h-usage keeps its history");

        CliRun reconcile = CliRun.of(List.of("reconcile", "--from", Instant.ofEpochMilli(start).minus(1, ChronoUnit.DAYS)
                        .toString(), "--to", Instant.ofEpochMilli(now).plus(1, ChronoUnit.HOURS).toString(),
                "--work-schema", "it_lost_history_work", "--format", "CSV", "--parallelism", "2",
                "--bootstrap-servers", options.bootstrapServers, "--group-id", options.groupId,
                "--usage-topic", options.usageTopic, "--events-topic", options.eventsTopic, "--rates-topic",
                options.ratesTopic, "--jdbc-url", options.jdbcUrl, "--jdbc-user", options.jdbcUser,
                "--jdbc-password", options.jdbcPassword));
        assertThat(reconcile.exitCode()).as(reconcile.printed()).isZero();
        assertThat(reconcile.err()).contains("No differences.");
    }

    /** The payment requests on the topic, as "request_id amount". */
    private static List<String> paymentRequests(JobOptions options) {
        return fixture.readValid(options.paymentRequestsTopic, "payment-request").stream()
                .map(r -> r.get("request_id").asText() + " "
                        + new java.math.BigDecimal(r.get("amount_usd").asText()).stripTrailingZeros().toPlainString()).toList();
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
