package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckpointDirsTest {
    @TempDir
    Path dir;

    private static String parsed(String... args) {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args);
        return options.checkpointDir;
    }

    @Test
    void aPlainPathBecomesTheAbsoluteFileUriOfThatDirectory() {
        assertThat(parsed("--checkpoint-dir", "/var/lib/billing/checkpoints"))
                .isEqualTo("file:///var/lib/billing/checkpoints");
        assertThat(parsed("--checkpoint-dir", "/var/lib/billing/../billing/checkpoints/"))
                .isEqualTo("file:///var/lib/billing/checkpoints");
    }

    @Test
    void aRelativePathIsTakenFromTheWorkingDirectory() {
        Path cwd = Path.of(System.getProperty("user.dir"));
        assertThat(parsed("--checkpoint-dir", "billing-checkpoints"))
                .isEqualTo("file://" + cwd.resolve("billing-checkpoints"));
        assertThat(parsed("--checkpoint-dir", "./a/b")).isEqualTo("file://" + cwd.resolve("a").resolve("b"));
    }

    @Test
    void anExistingDirectoryReadsTheSameWithOrWithoutATrailingSlash() throws Exception {
        Path existing = Files.createDirectories(dir.resolve("chk"));
        assertThat(parsed("--checkpoint-dir", existing.toString())).isEqualTo(parsed("--checkpoint-dir", existing + "/"))
                .isEqualTo("file://" + existing);
    }

    @Test
    void anUnexpandedTildeIsTheHomeDirectory() {
        assertThat(parsed("--checkpoint-dir", "~/chk")).isEqualTo("file://" + Path.of(System.getProperty("user.home"), "chk"));
    }

    @Test
    void aUriIsKeptAsGiven() {
        assertThat(parsed("--checkpoint-dir", "s3://bucket/billing/checkpoints")).isEqualTo("s3://bucket/billing/checkpoints");
        assertThat(parsed("--checkpoint-dir", "file:///data/chk")).isEqualTo("file:///data/chk");
        assertThat(parsed("--checkpoint-dir", "hdfs://nn:8020/chk")).isEqualTo("hdfs://nn:8020/chk");
    }

    @Test
    void aRelativeFileUriIsRefusedWithTheOptionsName() {
        assertThatThrownBy(() -> parsed("--checkpoint-dir", "file:chk"))
                .hasMessageContaining("--checkpoint-dir").hasMessageContaining("file:chk");
    }

    @Test
    void withoutTheOptionThereIsNoDirectoryAndFlinkKeepsTheClustersOwn() {
        assertThat(parsed()).isNull();
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs();
        assertThat(JobConfiguration.of(options).contains(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isFalse();
    }

    @Test
    void theLocalDefaultIsTheUsersStateDirectory() {
        assertThat(CheckpointDirs.localDefault(null, "/home/ann")).isEqualTo("file:///home/ann/.local/state/billing/checkpoints");
        assertThat(CheckpointDirs.localDefault("", "/home/ann")).isEqualTo("file:///home/ann/.local/state/billing/checkpoints");
        assertThat(CheckpointDirs.localDefault("/srv/state", "/home/ann")).isEqualTo("file:///srv/state/billing/checkpoints");
        // the XDG spec: a relative $XDG_STATE_HOME is invalid and is to be ignored
        assertThat(CheckpointDirs.localDefault("state", "/home/ann")).isEqualTo("file:///home/ann/.local/state/billing/checkpoints");
    }

    @Test
    void theNewestCompletedCheckpointIsFoundUnderAPathGivenAsTheUserTypedIt() throws Exception {
        Path root = dir.resolve("checkpoints");
        Files.createDirectories(root.resolve("job-a").resolve("chk-3"));
        Files.writeString(root.resolve("job-a").resolve("chk-3").resolve("_metadata"), "x");
        Files.setLastModifiedTime(root.resolve("job-a").resolve("chk-3").resolve("_metadata"),
                java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        Files.createDirectories(root.resolve("job-b").resolve("chk-7"));
        Files.writeString(root.resolve("job-b").resolve("chk-7").resolve("_metadata"), "x");
        Files.createDirectories(root.resolve("job-b").resolve("chk-8")); // in progress: no _metadata yet
        Files.createDirectories(root.resolve("job-b").resolve("shared"));

        String uri = parsed("--checkpoint-dir", root.toString());
        assertThat(JobConfiguration.latestCheckpoint(uri)).hasValueSatisfying(p ->
                assertThat(Path.of(java.net.URI.create(p))).isEqualTo(root.resolve("job-b").resolve("chk-7")));
        assertThat(JobConfiguration.latestCheckpoint(parsed("--checkpoint-dir", dir.resolve("none").toString()))).isEmpty();
    }
}
