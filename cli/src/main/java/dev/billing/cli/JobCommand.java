package dev.billing.cli;

import dev.billing.job.BillingJob;
import dev.billing.job.CheckpointDirs;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.job.StateGuard;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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
        Optional<String> resumed = JobConfiguration.resumeFromLatestCheckpoint(conf, options.checkpointDir);
        try {
            StateGuard.check(options, resumed, "no retained checkpoint in " + options.checkpointDir);
        } catch (StateGuard.Refusal refused) {
            System.err.println(refused.getMessage());
            return 2;
        }
        System.out.println(resumed.map(p -> "Resuming from checkpoint " + p)
                .orElse(options.rebuildStateFromEarliest
                        ? "Rebuilding the state from the earliest records of " + String.join(", ", options.usageTopic,
                                options.eventsTopic, options.ratesTopic) + " (the committed offsets of group "
                                + options.groupId + " are ignored); account_balance and usage_hourly are rewritten as it"
                                + " catches up. Checkpoints go to " + options.checkpointDir
                        : "No retained checkpoint in " + options.checkpointDir + ": starting fresh"));
        BillingJob.prepare(options);
        // the URL last on its line: a hidden password runs up to the next blank
        System.out.println("Billing job running at parallelism " + options.parallelism + " on Kafka "
                + options.bootstrapServers + " and PostgreSQL " + JdbcUrls.redacted(options.jdbcUrl));
        System.out.println("Ctrl-C stops it; the next start resumes.");
        BillingJob.environment(options, conf).execute(BillingJob.JOB_NAME);
        return 0;
    }
}
