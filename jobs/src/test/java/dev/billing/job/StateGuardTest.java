package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.apache.flink.client.cli.CliFrontendParser;
import org.apache.flink.client.cli.ProgramOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The parts of the start checks that need no broker or database; the rest: cli's LostStateIT. */
class StateGuardTest {
    private static final String SAVEPOINT = "s3://bucket/billing/savepoints/savepoint-4f2a1c-0123456789ab";

    /** The configuration {@code flink run [-s path] ...} hands the job's main, merged with the job's own. */
    private static Configuration flinkRun(JobOptions options, String... runArgs) throws Exception {
        org.apache.commons.cli.CommandLine line = CliFrontendParser.parse(CliFrontendParser.getRunCommandOptions(),
                runArgs, true);
        Configuration conf = new Configuration();
        ProgramOptions.create(line).applyToConfiguration(conf);
        conf.addAll(JobConfiguration.of(options));
        return conf;
    }

    private static JobOptions options(String... args) {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    @Test
    void flinkRunDashSIsARestore() throws Exception {
        Configuration conf = flinkRun(options(), "-s", SAVEPOINT, "billing-jobs-flink-job.jar");
        assertThat(StateGuard.restorePath(conf)).contains(SAVEPOINT);
    }

    @Test
    void flinkRunWithoutDashSRestoresNothing() throws Exception {
        assertThat(StateGuard.restorePath(flinkRun(options(), "billing-jobs-flink-job.jar"))).isEmpty();
    }

    @Test
    void theOlderKeyOfTheSavepointPathIsARestoreToo() {
        Configuration conf = new Configuration();
        conf.setString("execution.savepoint.path", SAVEPOINT);
        assertThat(StateGuard.restorePath(conf)).contains(SAVEPOINT);
        Configuration current = new Configuration();
        current.setString("execution.state-recovery.path", SAVEPOINT);
        assertThat(StateGuard.restorePath(current)).contains(SAVEPOINT);
    }

    @Test
    void bin_billing_jobsOwnResumeIsARestore() {
        Configuration conf = new Configuration();
        conf.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, "file:///tmp/c/job/chk-4");
        assertThat(StateGuard.restorePath(conf)).contains("file:///tmp/c/job/chk-4");
    }

    @Test
    void aRebuildIsRefusedTogetherWithASavepoint() throws Exception {
        JobOptions options = options("--rebuild-state-from-earliest", "--checkpoint-dir", "s3://bucket/chk");
        Configuration conf = flinkRun(options, "-s", SAVEPOINT, "billing-jobs-flink-job.jar");
        assertThatThrownBy(() -> BillingJob.checkStart(options, conf)).isInstanceOf(StateGuard.Refusal.class)
                .hasMessageContaining("--rebuild-state-from-earliest").hasMessageContaining(SAVEPOINT)
                .hasMessageContaining("Drop the option");
    }

    @Test
    void flinkRunWithoutACheckpointDirectoryAnywhereIsRefusedNamingTheOptionAndTheKey() throws Exception {
        JobOptions options = options();
        Configuration conf = flinkRun(options, "-s", SAVEPOINT, "billing-jobs-flink-job.jar");
        assertThatThrownBy(() -> BillingJob.checkStart(options, conf)).isInstanceOf(StateGuard.Refusal.class)
                .hasMessageContaining("--checkpoint-dir").hasMessageContaining("execution.checkpointing.dir");
    }

    @Test
    void theClustersCheckpointDirectoryIsKeptWhenTheOptionIsNotGiven() throws Exception {
        JobOptions options = options();
        Configuration cluster = new Configuration();
        cluster.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, "s3://bucket/cluster-checkpoints");
        Configuration conf = flinkRun(options, "-s", SAVEPOINT, "billing-jobs-flink-job.jar");
        Configuration merged = new Configuration(cluster);
        merged.addAll(conf);
        assertThat(merged.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://bucket/cluster-checkpoints");
        BillingJob.checkStart(options, merged); // a restore with the cluster's directory: nothing to refuse
    }

    @Test
    void theRefusalSaysWhatWasFoundWhyItMattersAndWhatToDo() {
        String message = StateGuard.message(new StateGuard.Traces("billing-job", List.of("usage-records", "account-events"),
                20, "jdbc:postgresql://db/billing"), "no retained checkpoint in file:///var/lib/billing/checkpoints");
        assertThat(message).contains("consumer group 'billing-job' has committed offsets on usage-records, account-events")
                .contains("account_balance holds 20 accounts")
                .contains("no retained checkpoint in file:///var/lib/billing/checkpoints")
                .contains("free credits again")
                .contains("flink run -s")
                .contains("--rebuild-state-from-earliest");
        assertThat(StateGuard.restorePath(new Configuration())).isEqualTo(Optional.empty());
    }
}
