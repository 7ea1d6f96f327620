package dev.billing.job;

import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Entry point of the shaded job jar: {@code flink run billing-jobs-*-flink-job.jar [options]}.
 * Prepares topics and the schema, then submits the billing job to the cluster it runs on.
 */
@Command(name = "billing-job", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The streaming billing job: prices usage records, keeps balances, signals cutoffs,"
                + " writes hourly rollups to PostgreSQL.",
            "Options may also come from a file, one per line: billing-job @/etc/billing/job.options"})
public class BillingJob implements Callable<Integer> {
    public static final String JOB_NAME = "billing";

    @Mixin
    public JobOptions options = new JobOptions();

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    /** The command line of {@code flink run}: errors in a sentence, the stack trace with --verbose. */
    public static CommandLine commandLine() {
        return CommandLineErrors.install(new CommandLine(new BillingJob()));
    }

    @Override
    public Integer call() throws Exception {
        prepare(options);
        StreamExecutionEnvironment env = environment(options, JobConfiguration.of(options));
        env.execute(JOB_NAME);
        return 0;
    }

    /** Creates missing topics and applies migrations, as configured. */
    public static void prepare(JobOptions options) {
        if (options.createTopics) {
            Topics.ensure(options);
        }
        if (options.migrate) {
            Migrations.apply(options.jdbcUrl, options.jdbcUser, options.password());
        }
    }

    public static StreamExecutionEnvironment environment(JobOptions options, Configuration conf) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        BillingWorkflow.defineWorkflow(env, new KafkaBillingSources(options), new ProductionSinks(options),
                options.settings());
        return env;
    }

    /** Starts the job without waiting for it, for embedding (demo, tests). */
    public static JobClient start(JobOptions options, Configuration conf) throws Exception {
        prepare(options);
        return environment(options, conf).executeAsync(JOB_NAME);
    }
}
