package dev.billing.cli.reconcile;

import dev.billing.embedded.SchemaName;
import dev.billing.job.BillingWorkflow;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobOptions;
import dev.billing.job.KafkaBillingSources;
import dev.billing.job.Migrations;
import dev.billing.output.PostgresSinks;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.BatchExecutionOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Recomputes rollups and balances from the raw topics: the billing job's own graph (parsers,
 * ledger with its pricing, dedupe, credits and discounts), run as a bounded Flink batch job over
 * everything the input topics hold, writing into a fresh schema through the job's own sinks.
 *
 * <p>In BATCH mode Flink feeds the ledger one account at a time, that account's records in
 * timestamp order, rate cards first, and fires the ledger's flush timers at the end of each
 * account, so each rollup and balance row is written once with its final totals.
 */
final class Recomputation {
    private static final String JOB_NAME = "billing-reconcile";

    private final JobOptions options;
    private final String workSchema;
    private final PrintStream progress;

    Recomputation(JobOptions options, String workSchema, PrintStream progress) {
        this.options = options;
        this.workSchema = workSchema;
        this.progress = progress;
    }

    /** Replays the topics into {@code workSchema}, recreated empty first. */
    void run() throws Exception {
        String workUrl = JdbcUrls.withCurrentSchema(options.jdbcUrl, workSchema);
        try (Connection c = DriverManager.getConnection(options.jdbcUrl, options.jdbcUser, options.password());
                Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SchemaName.quoted(workSchema) + " CASCADE");
            s.execute("CREATE SCHEMA " + SchemaName.quoted(workSchema));
        }
        Migrations.apply(workUrl, options.jdbcUser, options.password());

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(configuration());
        PostgresSinks.Target target = new PostgresSinks.Target(workUrl, options.jdbcUser, options.password(),
                options.jdbcBatchSize, options.jdbcBatchInterval);
        BillingWorkflow.defineWorkflow(env, KafkaBillingSources.replay(options), new RecomputedSinks(target),
                options.settings().forBatchReplay());
        long start = System.nanoTime();
        JobClient job = env.executeAsync(JOB_NAME);
        JobExecutionResult result = null;
        while (result == null) {
            try {
                result = job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException stillRunning) {
                progress.printf("  replaying ... %d s%n", Duration.ofNanos(System.nanoTime() - start).toSeconds());
            }
        }
        progress.printf("Replay finished in %d s.%n", Duration.ofNanos(System.nanoTime() - start).toSeconds());
    }

    private Configuration configuration() {
        Configuration conf = new Configuration();
        conf.set(ExecutionOptions.RUNTIME_MODE, RuntimeExecutionMode.BATCH);
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // a later row of a key holds newer totals, so the sinks must get the ledger's rows in order:
        // every operator at one parallelism keeps the ledger -> sink edges forward (the adaptive
        // batch scheduler would otherwise size an unchained sink on its own and redistribute)
        conf.set(BatchExecutionOptions.ADAPTIVE_AUTO_PARALLELISM_ENABLED, false);
        if (options.parallelism != null) {
            conf.set(CoreOptions.DEFAULT_PARALLELISM, options.parallelism);
        }
        return conf;
    }
}
