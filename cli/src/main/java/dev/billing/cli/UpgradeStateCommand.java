package dev.billing.cli;

import dev.billing.convert.Release01Conversion;
import dev.billing.job.CheckpointDirs;
import dev.billing.job.RestoreMapping;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Converts release 0.1's state ahead of a deployment: what {@code bin/billing job} (and {@code flink
 * run} of the job jar) does by itself before restoring it, for a cluster where the job's start
 * should not run the conversion's jobs, or to see the conversion's checks before an upgrade.
 */
@Command(name = "upgrade-state", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a savepoint or retained checkpoint of release 0.1 (ebd4a31), whose ledger state predates"
                + " this build's state formats, into a savepoint this build restores; the restore point is only read.",
            "bin/billing job --from-savepoint <path> does the same by itself; restore the result with"
                    + " bin/billing job --from-savepoint <the new savepoint> (or flink run -s)."},
        exitCodeListHeading = "Exit codes:%n", exitCodeList = {"2:not release 0.1's state (nothing to convert), or the conversion failed"})
public class UpgradeStateCommand implements Callable<Integer> {
    @Option(names = "--from", required = true, paramLabel = "PATH", description = "The savepoint or retained checkpoint (its folder, a path or a URI).")
    String from;

    @Option(names = "--to", paramLabel = "PATH", description = "Where the converted savepoint goes (default: next to --from, named after it and the time). Never overwritten.")
    String to;

    @Override
    public Integer call() throws Exception {
        String source = CheckpointDirs.normalise(from);
        String target = to != null ? CheckpointDirs.normalise(to) : Release01Conversion.nextTo(source, Instant.now());
        if (!RestoreMapping.convertIfRelease01(source, RestoreMapping.load(source), target, System.out::println)) {
            System.err.println(source + " holds no ledger state of release 0.1: nothing to convert; this build restores"
                    + " it as it is (bin/billing job --from-savepoint " + source + ").");
            return 2;
        }
        System.out.println("Restore it: bin/billing job --from-savepoint " + target + " <the same options>");
        return 0;
    }
}
