package dev.billing.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.it.LedgerModel;
import dev.billing.job.BillingWorkflow;
import dev.billing.job.JobOptions;
import dev.billing.model.AccountStatus;
import dev.billing.workflow.CollectedOutputs;
import dev.billing.workflow.CollectingSinks;
import dev.billing.workflow.InMemorySources;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed release savepoint restores with this build: the job resumes from it on a
 * MiniCluster at parallelism 2, bills one more record into each (account, model, hour) the
 * savepoint holds and the first usage of accounts whose prices live in the state, and then every
 * balance row, rollup row and status equals an independent model of all input before and after
 * the savepoint, to the last digit; a resend of a request id the savepoint remembers is dropped.
 */
class SavepointRestoreIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static Stream<Path> releaseSavepoints() throws URISyntaxException, java.io.IOException {
        Path dir = Path.of(SavepointRestoreIT.class.getResource("/savepoints").toURI());
        return Files.list(dir).filter(Files::isDirectory).sorted(SavepointRuns.BY_NAME);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releaseSavepoints")
    void restoresEveryBalanceRollupAndStatusToTheLastDigit(Path savepoint, @TempDir Path work) throws Exception {
        long now = System.currentTimeMillis();
        LedgerModel model = new LedgerModel(now);
        SavepointDataset before = SavepointDataset.beforeSavepoint(model);
        SavepointDataset after = SavepointDataset.afterRestore(before, model);

        JobOptions options = SavepointRuns.options(work.resolve("checkpoints"));
        Configuration conf = SavepointRuns.configuration(options);
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint.toUri().toString());
        // the writer's in-memory inputs are not this run's; everything else must be claimed
        conf.set(StateRecoveryOptions.SAVEPOINT_IGNORE_UNCLAIMED_STATE, true);
        // a restore this build refuses fails the test at once, with Flink's reason, instead of restarting
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        CollectingSinks sinks = new CollectingSinks();
        BillingWorkflow.defineWorkflow(env, InMemorySources.bounded("restore-", after.usage, after.events, after.rates),
                sinks, options.settings());
        env.execute("restore " + savepoint.getFileName());

        assertThat(sinks.deadLettersSent()).as("nothing rejected, the resend dropped silently").isEmpty();

        assertThat(CollectedOutputs.balances(sinks, now)).isEqualTo(model.balances());
        assertThat(CollectedOutputs.rows(sinks)).as("every rollup the savepoint holds, plus this run's records")
                .isEqualTo(model.rows());

        Map<String, AccountStatus> statuses = CollectedOutputs.newest(sinks.statuses(), s -> s.accountId, s -> s.version);
        model.finalStatuses().forEach((account, expected) -> {
            AccountStatus s = statuses.get(account);
            assertThat(s).as(account).isNotNull();
            assertThat(s.status).as(account).isEqualTo(expected.status());
            assertThat(CollectedOutputs.reasons(s)).as(account).isEqualTo(expected.reasons());
            assertThat(s.balanceUsd).as(account).isEqualByComparingTo(expected.balance());
        });
    }
}
