package dev.billing.job;

import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateRecoveryOptions;
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
        // under flink run this environment carries the client's configuration: the cluster's
        // config.yaml and what -s and -D set, merged with the job's own
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(JobConfiguration.of(options));
        try {
            checkStart(options, env.getConfiguration());
            define(env, options);
            // what a restore drops is decided before topics or tables are touched
            RestoreMapping.apply(env, options.allowNonRestoredStateOf, System.out::println);
        } catch (StateGuard.Refusal refused) {
            System.err.println(refused.getMessage());
            return 2;
        }
        prepare(options);
        env.execute(JOB_NAME);
        return 0;
    }

    /**
     * Before anything is written: a checkpoint directory must be known (the option or the
     * cluster's), and lost state must not be silently rebuilt (see {@link StateGuard}).
     */
    static void checkStart(JobOptions options, ReadableConfig conf) {
        if (conf.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty()) {
            throw new StateGuard.Refusal("No checkpoint directory: pass --checkpoint-dir (a path or a URI such as"
                    + " s3://bucket/billing/checkpoints), or configure " + CheckpointingOptions.CHECKPOINTS_DIRECTORY.key()
                    + " in the cluster's config.yaml. The balances live in the checkpoints: they must be kept where a"
                    + " restart finds them, not on one node's local disk.");
        }
        StateGuard.check(options, StateGuard.restorePath(conf), "no checkpoint or savepoint given: flink run -s <path>"
                + " sets " + StateRecoveryOptions.SAVEPOINT_PATH.key());
    }

    /** Creates missing topics and applies migrations, as configured; reports what the input topics keep. */
    public static void prepare(JobOptions options) {
        if (options.createTopics) {
            Topics.ensure(options);
        }
        TopicHistory.report(options).forEach(System.out::println);
        if (options.migrate) {
            Migrations.apply(options.jdbcUrl, options.jdbcUser, options.password());
        }
    }

    public static StreamExecutionEnvironment environment(JobOptions options, Configuration conf) {
        return define(StreamExecutionEnvironment.getExecutionEnvironment(conf), options);
    }

    private static StreamExecutionEnvironment define(StreamExecutionEnvironment env, JobOptions options) {
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
