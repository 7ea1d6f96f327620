package dev.billing.cli;

import dev.billing.job.BillingJob;
import dev.billing.job.CheckpointDirs;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.job.StateGuard;
import java.util.Optional;
import java.util.concurrent.Callable;
import dev.billing.job.RestoreMapping;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the job on an in-process mini-cluster against an existing Kafka and PostgreSQL. */
@Command(name = "job", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the billing job on an in-process Flink mini-cluster against an existing Kafka and PostgreSQL.",
            "Creates missing topics, applies the schema migrations, and resumes from the newest retained checkpoint in"
                    + " --checkpoint-dir, so a kill -9 and a restart lose nothing and count nothing twice.",
            "Refuses to start with empty state once the job has run (committed offsets, balances in PostgreSQL):"
                    + " restore the checkpoints, or rebuild with --rebuild-state-from-earliest."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"2:refused to start (the message says why)"})
public class JobCommand implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Option(names = "--from-savepoint", paramLabel = "PATH", description = "Restore this savepoint or retained checkpoint (its folder, a path or a URI) instead of the newest retained checkpoint in --checkpoint-dir: after stop-with-savepoint, or to upgrade from another build's state.")
    String fromSavepoint;

    @Option(names = "--rest-port", paramLabel = "PORT", description = "Port of the in-process Flink cluster's REST API, which bin/billing stop-with-savepoint (or flink stop -m localhost:PORT) talks to (default: a free port, printed at start).")
    Integer restPort;

    @Override
    public Integer call() throws Exception {
        if (options.parallelism == null) {
            options.parallelism = Runtime.getRuntime().availableProcessors();
        }
        if (options.checkpointDir == null) {
            options.checkpointDir = CheckpointDirs.localDefault(System.getenv("XDG_STATE_HOME"),
                    System.getProperty("user.home"));
            System.out.println("Checkpoints: " + options.checkpointDir + " (the default; --checkpoint-dir chooses another)");
        }
        Configuration conf = JobConfiguration.of(options);
        int port = restPort != null ? restPort : freePort();
        conf.set(RestOptions.BIND_PORT, String.valueOf(port));
        Optional<String> resumed = fromSavepoint != null
                ? Optional.of(CheckpointDirs.normalise(fromSavepoint))
                : JobConfiguration.resumeFromLatestCheckpoint(conf, options.checkpointDir);
        resumed.ifPresent(p -> conf.set(StateRecoveryOptions.SAVEPOINT_PATH, p));
        try {
            StateGuard.check(options, resumed, "no retained checkpoint in " + options.checkpointDir);
        } catch (StateGuard.Refusal refused) {
            System.err.println(refused.getMessage());
            return 2;
        }
        System.out.println(resumed.map(p -> (fromSavepoint != null ? "Restoring " : "Resuming from checkpoint ") + p)
                .orElse(options.rebuildStateFromEarliest
                        ? "Rebuilding the state from the earliest records of " + String.join(", ", options.usageTopic,
                                options.eventsTopic, options.ratesTopic) + " (the committed offsets of group "
                                + options.groupId + " are ignored); account_balance and usage_hourly are rewritten as it"
                                + " catches up. Checkpoints go to " + options.checkpointDir
                        : "No retained checkpoint in " + options.checkpointDir + ": starting fresh"));
        StreamExecutionEnvironment env = BillingJob.environment(options, conf);
        try {
            // what a restore drops is decided before topics or tables are touched
            RestoreMapping.apply(env, options.allowNonRestoredStateOf, System.out::println);
        } catch (StateGuard.Refusal refused) {
            System.err.println(refused.getMessage());
            return 2;
        }
        BillingJob.prepare(options);
        // the URL last on its line: a hidden password runs up to the next blank
        System.out.println("Billing job running at parallelism " + options.parallelism + " on Kafka "
                + options.bootstrapServers + " and PostgreSQL " + JdbcUrls.redacted(options.jdbcUrl));
        System.out.println("Ctrl-C stops it; the next start resumes from its newest checkpoint. To stop it with a"
                + " savepoint (before an upgrade): bin/billing stop-with-savepoint --rest-url http://localhost:" + port
                + " --savepoint-dir <dir>");
        env.execute(BillingJob.JOB_NAME);
        return 0;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
