package dev.billing.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/billing upgrade-state} on release 0.1's own savepoint (committed with the job's tests):
 * converts it, never over an existing folder, and leaves state that needs no conversion alone.
 */
class UpgradeStateCommandTest {
    private static final Path RELEASE_0_1 = Path.of("../jobs/src/test/resources/releases/release-0.1/savepoint");

    @TempDir
    Path work;

    @Test
    void convertsReleaseZeroOnesSavepointOnceAndLeavesOtherStateAlone() throws Exception {
        Path from = copy(RELEASE_0_1, work.resolve("release-0.1"));
        Path to = work.resolve("converted");

        CliRun converted = CliRun.of(List.of("upgrade-state", "--from", from.toString(), "--to", to.toString()));
        assertThat(converted.exitCode()).as(converted.printed()).isZero();
        assertThat(converted.out()).contains("Converted in ").contains("5 accounts, credits 60.00 USD")
                .contains("Restore it: bin/billing job --from-savepoint " + to.toUri().toString().replaceAll("/$", ""));
        assertThat(to.resolve("_metadata")).exists();

        CliRun again = CliRun.of(List.of("upgrade-state", "--from", from.toString(), "--to", to.toString()));
        assertThat(again.exitCode()).as(again.printed()).isNotZero();
        assertThat(again.err()).contains("exists: a conversion never writes over anything");

        CliRun current = CliRun.of(List.of("upgrade-state", "--from", to.toString()));
        assertThat(current.exitCode()).as(current.printed()).isEqualTo(2);
        assertThat(current.err()).contains("holds no ledger state of release 0.1: nothing to convert");
    }

    private static Path copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path dest = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(f, dest);
                }
            }
        }
        return to;
    }
}
