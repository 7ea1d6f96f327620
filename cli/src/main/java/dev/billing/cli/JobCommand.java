package dev.billing.cli;

import dev.billing.job.BillingJob;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Runs the job on an in-process mini-cluster against an existing Kafka and PostgreSQL. */
@Command(name = "job", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the billing job on an in-process Flink mini-cluster against an existing Kafka and PostgreSQL.",
            "Creates missing topics, applies the schema migrations, and resumes from the newest retained checkpoint in"
                    + " --checkpoint-dir, so a kill -9 and a restart lose nothing and count nothing twice."})
public class JobCommand implements Callable<Integer> {
    @Mixin
    JobOptions options = new JobOptions();

    @Override
    public Integer call() throws Exception {
        if (options.parallelism == null) {
            options.parallelism = Runtime.getRuntime().availableProcessors();
        }
        Configuration conf = JobConfiguration.of(options);
        Optional<Path> resumed = JobConfiguration.resumeFromLatestCheckpoint(conf, options.checkpointDir);
        System.out.println(resumed.map(p -> "Resuming from checkpoint " + p)
                .orElse("No retained checkpoint in " + options.checkpointDir + ": starting fresh"));
        BillingJob.prepare(options);
        // the URL last on its line: a hidden password runs up to the next blank
        System.out.println("Billing job running at parallelism " + options.parallelism + " on Kafka "
                + options.bootstrapServers + " and PostgreSQL " + JdbcUrls.redacted(options.jdbcUrl));
        System.out.println("Ctrl-C stops it; the next start resumes.");
        BillingJob.environment(options, conf).execute(BillingJob.JOB_NAME);
        return 0;
    }
}
