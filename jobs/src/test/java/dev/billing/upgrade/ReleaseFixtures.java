package dev.billing.upgrade;

import dev.billing.it.LedgerModel;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where a release's own savepoint and retained checkpoint are kept
 * ({@code src/test/resources/releases/<release>/savepoint} and {@code .../checkpoint}), and how a
 * test restores them. A canonical savepoint refers to its files relative to itself and restores
 * from anywhere. A retained checkpoint of RocksDB's incremental snapshots names its shared files by
 * absolute path, as it would on a cluster: it is written under {@link #checkpointRoot} and put back
 * there before a restore.
 */
public final class ReleaseFixtures {
    private ReleaseFixtures() {}

    /** The file naming the day the release's dataset happens on ({@link SavepointDataset#beforeSavepoint(LedgerModel, long)}). */
    static final String DATASET_DAY = "dataset-day";

    /**
     * A restore point of a release: the release, "savepoint" or "checkpoint", the path Flink
     * restores, and the day of the dataset behind it.
     */
    public record RestorePoint(String release, String kind, Path path, long datasetDay) {
        @Override
        public String toString() {
            return release + " " + kind;
        }
    }

    /** The absolute folder a release's checkpoint was written to, and is restored from. */
    static Path checkpointRoot(String release) {
        return Path.of("/tmp/billing-release-fixtures", release, "checkpoints");
    }

    /** Every committed release's savepoint and retained checkpoint, the checkpoints put back where they were written. */
    public static List<RestorePoint> all() throws IOException, URISyntaxException {
        Path dir = Path.of(ReleaseFixtures.class.getResource("/releases").toURI());
        List<RestorePoint> out = new ArrayList<>();
        try (Stream<Path> releases = Files.list(dir)) {
            for (Path release : releases.filter(Files::isDirectory).sorted(SavepointRuns.BY_NAME).toList()) {
                String name = release.getFileName().toString();
                long day = Instant.parse(Files.readString(release.resolve(DATASET_DAY)).trim()).toEpochMilli();
                out.add(new RestorePoint(name, "savepoint", release.resolve("savepoint"), day));
                out.add(new RestorePoint(name, "checkpoint", installCheckpoint(name, release.resolve("checkpoint")), day));
            }
        }
        return out;
    }

    /** Copies the committed checkpoint back under {@link #checkpointRoot}; returns its {@code chk-<n>} folder. */
    private static Path installCheckpoint(String release, Path committed) throws IOException {
        Path root = checkpointRoot(release);
        try (Stream<Path> files = Files.walk(committed)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path dest = root.resolve(committed.relativize(f).toString());
                // another test run on this machine may be restoring from it: a file is never rewritten in place
                if (!Files.exists(dest) || Files.size(dest) != Files.size(f)) {
                    Files.createDirectories(dest.getParent());
                    Path part = Files.createTempFile(dest.getParent(), ".part", "");
                    Files.copy(f, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        }
        try (Stream<Path> jobs = Files.list(committed)) {
            Path job = jobs.filter(Files::isDirectory).findFirst().orElseThrow();
            return root.resolve(job.getFileName().toString()).resolve(only(job, "chk-").getFileName().toString());
        }
    }

    private static Path only(Path dir, String prefix) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> found = entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one " + prefix + "* in " + dir + ", found " + found);
            }
            return found.get(0);
        }
    }
}
