package dev.billing.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.KafkaTestClient;
import dev.billing.it.LedgerModel;
import dev.billing.it.PipelineFixture;
import dev.billing.it.TestMessage;
import dev.billing.job.BillingWorkflow;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.model.AccountStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import picocli.CommandLine;

/**
 * {@code BillingWorkflow} with the job's own configuration (RocksDB, parallelism 2) on the test's
 * MiniCluster, fed by {@link PhasedSources} and written to {@link CollectingSinks}: the middle test
 * layer, between the ledger's operator harness and the tests on a real broker and PostgreSQL.
 *
 * <p>Input goes in phases. {@link #phase} releases a phase's messages and returns once the job has
 * processed all of them: when the sources have taken them, it takes a savepoint, whose barrier
 * follows them through every operator (savepoints are always aligned, and the ledger closes its
 * bundle and writes its changed rows before a barrier). So what one phase does is in the state and
 * the outputs before the next phase is released: across phases the order is the test's; inside a
 * phase, only each account's order on each input is kept, as with Kafka.
 */
public final class WorkflowRun implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final PhasedSources sources = new PhasedSources();
    private final CollectingSinks sinks = new CollectingSinks();
    private final Path savepoints;
    private final JobClient job;

    private WorkflowRun(Path work, String... extraOptions) throws Exception {
        this(work, null, extraOptions);
    }

    private WorkflowRun(Path work, Path restoring, String... extraOptions) throws Exception {
        this.savepoints = work.resolve("savepoints");
        JobOptions options = new JobOptions();
        // checkpoints only when a phase asks for one; rows flushed often, as in the pipeline tests
        String[] base = {"--checkpoint-dir", work.resolve("checkpoints").toUri().toString(),
            "--checkpoint-interval", "1h", "--flush-interval", "100ms", "--parallelism", "2"};
        new CommandLine(options).parseArgs(Stream.concat(Stream.of(base), Stream.of(extraOptions)).toArray(String[]::new));
        Configuration conf = JobConfiguration.of(options);
        // no fault is injected here: a failure fails the test at once, with its cause, instead of restarting
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (restoring != null) {
            conf.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, restoring.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        BillingWorkflow.defineWorkflow(env, sources, sinks, options.settings());
        job = env.executeAsync("billing workflow");
    }

    /** Starts the workflow; {@code extraOptions} are job options such as {@code --billing-window 40d}. */
    public static WorkflowRun start(Path work, String... extraOptions) throws Exception {
        return new WorkflowRun(work, extraOptions);
    }

    /** Starts the workflow from {@code savepoint}, which need hold no state of the in-memory sources. */
    public static WorkflowRun restoring(Path work, Path savepoint, String... extraOptions) throws Exception {
        return new WorkflowRun(work, savepoint, extraOptions);
    }

    /**
     * Releases {@code messages} and waits until the job has processed them; returns the dead
     * letters they must give: where each message with an expected reason went, and the reason.
     */
    public Map<KafkaTestClient.Sent, String> phase(List<TestMessage> messages) throws Exception {
        List<KafkaTestClient.Sent> where = sources.release(messages);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!sources.allTaken()) {
            failIfEnded();
            assertThat(System.nanoTime()).as("the sources did not take the phase's input").isLessThan(deadline);
            Thread.sleep(10); // the polling interval of a condition
        }
        savepoint(deadline);
        Map<KafkaTestClient.Sent, String> deadLetters = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).expectedReason() != null) {
                deadLetters.put(where.get(i), messages.get(i).expectedReason());
            }
        }
        return deadLetters;
    }

    /** A savepoint, once every task runs: right after the start some may still be deploying, and a savepoint is then refused. */
    private void savepoint(long deadline) throws Exception {
        while (true) {
            try {
                job.triggerSavepoint(savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                boolean deploying = ExceptionUtils.findThrowable(e, CheckpointException.class)
                        .map(c -> c.getCheckpointFailureReason() == CheckpointFailureReason.NOT_ALL_REQUIRED_TASKS_RUNNING)
                        .orElse(false);
                if (!deploying || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50); // the polling interval of a condition: every task running
            }
        }
    }

    /** Throws the job's failure if it has ended (it never ends by itself: its sources are unbounded). */
    private void failIfEnded() throws Exception {
        if (job.getJobStatus().get().isGloballyTerminalState()) {
            job.getJobExecutionResult().get(); // throws the failure
            throw new IllegalStateException("the workflow ended before its input was processed");
        }
    }

    /** usage_hourly as "account|model|hourStartMs" -> row. */
    public Map<String, LedgerModel.Row> rows() {
        return CollectedOutputs.rows(sinks);
    }

    /** account_balance per account, this month's spend as account_balance_now shows it. */
    public Map<String, LedgerModel.Balance> balances() {
        return CollectedOutputs.balances(sinks, System.currentTimeMillis());
    }

    /** Per account, its published statuses in version order, described by {@code describe}, repeats folded. */
    public Map<String, List<String>> statusHistory(Function<AccountStatus, String> describe) {
        return CollectedOutputs.statusHistory(sinks, describe);
    }

    /** Per account, the status message of the highest version: what a gateway holds. */
    public Map<String, LedgerModel.FinalStatus> finalStatuses() {
        return CollectedOutputs.finalStatuses(sinks);
    }

    /** Dead letters as where the rejected input was -> reason; a duplicate shows as "A+DUPLICATE+B". */
    public Map<KafkaTestClient.Sent, String> deadLetters() {
        return CollectedOutputs.deadLetters(sinks);
    }

    /** Every alert id published, sorted; one published twice shows twice. */
    public List<String> alertIds() {
        return CollectedOutputs.alertIds(sinks);
    }

    @Override
    public void close() throws Exception {
        try {
            PipelineFixture.cancel(job);
        } finally {
            sources.close();
        }
    }
}
