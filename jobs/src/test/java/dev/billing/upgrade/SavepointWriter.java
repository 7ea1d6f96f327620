package dev.billing.upgrade;

import dev.billing.it.LedgerModel;
import dev.billing.job.BillingWorkflow;
import dev.billing.job.JobOptions;
import dev.billing.workflow.CollectingSinks;
import dev.billing.workflow.InMemorySources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Writes this release's savepoint for {@code SavepointRestoreIT}: runs {@code BillingWorkflow} on a
 * local MiniCluster (RocksDB, parallelism 2, the job's own configuration) over
 * {@link SavepointDataset#beforeSavepoint}, waits until every account's status carries the balance
 * an independent model computes and the rate cards are read, then stops the job with a savepoint
 * in Flink's canonical format and copies it to {@code src/test/resources/savepoints/<release>}.
 * Run once per release, from the {@code jobs} folder, with the test classpath:
 * {@code java -cp target/test-classes:target/classes:<test classpath> dev.billing.upgrade.SavepointWriter release-0.1}.
 * It refuses to overwrite a release's savepoint.
 */
public final class SavepointWriter {
    private SavepointWriter() {}

    public static void main(String[] args) throws Exception {
        String release = args.length > 0 ? args[0] : "release-0.1";
        Path target = Path.of("src/test/resources/savepoints", release);
        if (Files.exists(target)) {
            throw new IllegalStateException(target + " exists: a release's savepoint is never rewritten");
        }
        Path work = Files.createTempDirectory("savepoint-writer");
        LedgerModel model = new LedgerModel(System.currentTimeMillis());
        SavepointDataset data = SavepointDataset.beforeSavepoint(model);
        JobOptions options = SavepointRuns.options(work.resolve("checkpoints"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                SavepointRuns.configuration(options));
        CollectingSinks sinks = new CollectingSinks();
        BillingWorkflow.defineWorkflow(env, InMemorySources.open("writer-", data.usage, data.events, data.rates), sinks,
                options.settings());
        JobClient job = env.executeAsync("savepoint writer " + release);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!(SavepointRuns.balancesSettled(sinks, model) && !sinks.deadLettersSent().isEmpty())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the job did not reach the model's balances in 3 minutes: "
                        + sinks.statuses());
            }
            Thread.sleep(100); // polling the collected outputs
        }
        String savepoint = job.stopWithSavepoint(false, work.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        Path source = Path.of(java.net.URI.create(savepoint.startsWith("file:") ? savepoint : "file://" + savepoint));
        copyTree(source, target);
        Files.writeString(target.resolve("HOW-IT-WAS-MADE.md"), "Written by dev.billing.upgrade.SavepointWriter at "
                + Instant.now() + " from SavepointDataset.beforeSavepoint: BillingWorkflow on a local MiniCluster, "
                + "parallelism 2, RocksDB, stopped with a savepoint in the canonical format. Restored by "
                + "SavepointRestoreIT with every later build.\n");
        System.out.println("written " + target + " from " + savepoint);
    }

    static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }
}
