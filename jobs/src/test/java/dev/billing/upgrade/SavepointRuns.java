package dev.billing.upgrade;

import dev.billing.it.LedgerModel;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.model.AccountStatus;
import dev.billing.workflow.CollectedOutputs;
import dev.billing.workflow.CollectingSinks;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;

/** What the savepoint writer and the restore test share: the job's options and configuration. */
final class SavepointRuns {
    private SavepointRuns() {}

    /** The job's own options at parallelism 2; checkpoints only when asked for (a savepoint). */
    static JobOptions options(Path checkpoints) {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs("--checkpoint-dir", checkpoints.toUri().toString(),
                "--checkpoint-interval", "1h", "--flush-interval", "100ms", "--parallelism", "2");
        return options;
    }

    static Configuration configuration(JobOptions options) {
        return JobConfiguration.of(options);
    }

    /** Whether every account's newest status carries the balance the model ends with. */
    static boolean balancesSettled(CollectingSinks sinks, LedgerModel model) {
        Map<String, AccountStatus> last = CollectedOutputs.newest(sinks.statuses(), s -> s.accountId, s -> s.version);
        for (Map.Entry<String, LedgerModel.FinalStatus> e : model.finalStatuses().entrySet()) {
            AccountStatus s = last.get(e.getKey());
            BigDecimal expected = e.getValue().balance();
            if (s == null || s.balanceUsd == null || s.balanceUsd.compareTo(expected) != 0) {
                return false;
            }
        }
        return true;
    }

    static final Comparator<Path> BY_NAME = Comparator.comparing(p -> p.getFileName().toString());
}
