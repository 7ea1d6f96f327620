package dev.billing.upgrade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.embedded.EmbeddedKafka;
import dev.billing.embedded.LocalPostgres;
import dev.billing.it.KafkaTestClient;
import dev.billing.it.LedgerModel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;

/**
 * Writes a release's own savepoint and retained checkpoint for {@code ReleaseRestoreIT}, with that
 * release's code: its {@code bin/billing job}, built from the release's tag in a directory of its
 * own, runs as a child process against a fresh KRaft broker and a fresh PostgreSQL schema over
 * {@link SavepointDataset} on a given day (in the month of the release's clock). Once a checkpoint holds
 * every input (the job's consumer group has committed the end offsets, which the Kafka source
 * does when a checkpoint completes), the process is killed with SIGKILL: its newest retained
 * checkpoint is what a crash in the middle of a rollout leaves. The same command is started again,
 * resumes from that checkpoint and is stopped with a savepoint in Flink's canonical format through
 * the mini-cluster's REST API (what {@code flink stop --savepointPath} calls). Both are copied to
 * {@code src/test/resources/releases/<release>/}.
 *
 * <p>Run once per release from {@code jobs/}: see {@code src/test/resources/releases/README.md}. It
 * refuses to overwrite a release's fixtures.
 */
public final class ReleaseFixtureWriter {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern REST = Pattern.compile("Rest endpoint listening at ([^:\\s]+:\\d+)");

    private ReleaseFixtureWriter() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ReleaseFixtureWriter <release> <directory the release is built in>"
                    + " <the dataset's day, e.g. 2026-12-06T10:00:00Z: in the current month, at least three hours ago>");
        }
        String release = args[0];
        Path releaseRoot = Path.of(args[1]).toAbsolutePath();
        long t0 = Instant.parse(args[2]).toEpochMilli();
        Path target = Path.of("src/test/resources/releases", release).toAbsolutePath();
        if (Files.exists(target)) {
            throw new IllegalStateException(target + " exists: a release's fixtures are never rewritten");
        }
        Path work = Files.createTempDirectory("release-fixtures");
        Path checkpoints = ReleaseFixtures.checkpointRoot(release);
        deleteTree(checkpoints);
        SavepointDataset data = SavepointDataset.beforeSavepoint(new LedgerModel(System.currentTimeMillis()), t0);
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LocalPostgres postgres = LocalPostgres.locate(System.out::println);
                KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
            List<String> jobArgs = List.of("job",
                    "--bootstrap-servers", kafka.bootstrapServers(),
                    "--jdbc-url", postgres.freshSchema("release_fixture_writer"),
                    "--jdbc-user", postgres.user,
                    "--jdbc-password", postgres.password,
                    "--checkpoint-dir", checkpoints.toUri().toString(),
                    "--checkpoint-interval", "1s",
                    "--flush-interval", "100ms",
                    "--topic-partitions", String.valueOf(ReleaseInput.PARTITIONS),
                    "--parallelism", "2");
            Path logConfig = writeLogConfig(work);

            Process first = start(releaseRoot, jobArgs, logConfig, work.resolve("job-1.log"));
            await("the release's job creates its topics", () -> topicsExist(kafka.bootstrapServers()));
            ReleaseInput.sendTerms(client, data);
            await("a checkpoint holds the rate cards and events", () -> client.groupCaughtUp(ReleaseInput.GROUP, "rate-cards")
                    && client.groupCaughtUp(ReleaseInput.GROUP, "account-events"));
            ReleaseInput.sendUsage(client, data);
            await("a checkpoint holds every input", () -> client.groupCaughtUp(ReleaseInput.GROUP, "usage-records"));
            first.destroyForcibly().waitFor(); // SIGKILL: a crash, nothing stops cleanly
            Path checkpoint = newestCheckpoint(checkpoints);
            copyCheckpoint(checkpoints, checkpoint, target.resolve("checkpoint"));

            Process second = start(releaseRoot, jobArgs, logConfig, work.resolve("job-2.log"));
            String rest = "http://" + awaitValue("the REST address in the log", () -> restAddress(work.resolve("job-2.log")));
            String jobId = awaitValue("the resumed job runs", () -> runningJob(rest));
            await("the resumed job completes a checkpoint", () -> completedCheckpoints(rest, jobId) > 0);
            String savepoint = stopWithSavepoint(rest, jobId, work.resolve("savepoints"), second);
            await("the release's job exits after the savepoint", () -> !second.isAlive());
            copyTree(Path.of(URI.create(savepoint.startsWith("file:") ? savepoint : "file://" + savepoint)),
                    target.resolve("savepoint"));
            Files.writeString(target.resolve(ReleaseFixtures.DATASET_DAY), Instant.ofEpochMilli(t0) + "\n");
            System.out.println("written " + target + " at " + Instant.now() + " from " + checkpoint + " and " + savepoint
                    + " (logs in " + work + ")");
        } finally {
            STARTED.forEach(Process::destroyForcibly);
        }
    }

    /** The release's processes, killed when the writer ends however it ends. */
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static Process start(Path releaseRoot, List<String> jobArgs, Path logConfig, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(releaseRoot.resolve("bin/billing").toString()),
                jobArgs.stream()).toList());
        pb.environment().put("BILLING_JAVA_OPTS", "-Xmx768m -Dlog4j2.configurationFile=" + logConfig.toUri());
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        STARTED.add(p);
        return p;
    }

    /** Flink's REST endpoint logs its port at INFO; the release's own logging configuration is quieter. */
    private static Path writeLogConfig(Path work) throws IOException {
        return Files.writeString(work.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = WARN", "rootLogger.appenderRef.out.ref = out",
                "appender.out.type = Console", "appender.out.name = out",
                "appender.out.layout.type = PatternLayout", "appender.out.layout.pattern = %d %p %c{1} - %m%n",
                "logger.rest.name = org.apache.flink.runtime.dispatcher.DispatcherRestEndpoint", "logger.rest.level = INFO", ""));
    }

    private static boolean topicsExist(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            return admin.listTopics().names().get().containsAll(List.of("usage-records", "account-events", "rate-cards"));
        }
    }

    private static Optional<String> restAddress(Path log) throws IOException {
        Matcher m = REST.matcher(Files.readString(log));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<String> runningJob(String rest) throws Exception {
        for (JsonNode job : get(rest + "/jobs/overview").get("jobs")) {
            if ("RUNNING".equals(job.get("state").asText())) {
                return Optional.of(job.get("jid").asText());
            }
        }
        return Optional.empty();
    }

    private static long completedCheckpoints(String rest, String jobId) throws Exception {
        return get(rest + "/jobs/" + jobId + "/checkpoints").get("counts").get("completed").asLong();
    }

    /**
     * {@code POST /jobs/:id/stop}, then polls the trigger until the savepoint is written; returns its
     * path. A build whose command exits as soon as its job ends may be gone before the poll: then
     * the one savepoint in {@code dir} is it.
     */
    private static String stopWithSavepoint(String rest, String jobId, Path dir, Process job) throws Exception {
        String body = JSON.createObjectNode().put("targetDirectory", dir.toUri().toString()).put("drain", false)
                .put("formatType", "CANONICAL").toString();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(rest + "/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        String trigger = JSON.readTree(r.body()).get("request-id").asText();
        return awaitValue("the savepoint", () -> {
            if (!job.isAlive()) {
                if (job.exitValue() != 0) {
                    throw new IllegalStateException("the release's job exited with " + job.exitValue());
                }
                try (Stream<Path> written = Files.list(dir)) {
                    return Optional.of(written.filter(p -> Files.exists(p.resolve("_metadata"))).reduce((a, b) -> {
                        throw new IllegalStateException("two savepoints in " + dir);
                    }).orElseThrow().toUri().toString());
                }
            }
            JsonNode s;
            try {
                s = get(rest + "/jobs/" + jobId + "/savepoints/" + trigger);
            } catch (IOException exited) {
                return Optional.empty(); // asked again once the process is gone
            }
            if (!"COMPLETED".equals(s.get("status").get("id").asText())) {
                return Optional.empty();
            }
            JsonNode op = s.get("operation");
            if (op.has("failure-cause")) {
                throw new IllegalStateException("stop-with-savepoint failed: " + op.get("failure-cause"));
            }
            return Optional.of(op.get("location").asText());
        });
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static Path newestCheckpoint(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root, 2)) {
            return files.filter(p -> p.getFileName().toString().startsWith("chk-") && Files.exists(p.resolve("_metadata")))
                    .max(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new IllegalStateException("no completed checkpoint under " + root));
        }
    }

    /**
     * The checkpoint's {@code _metadata} and the files of the job's {@code shared/} folder it names
     * (RocksDB's incremental checkpoints refer to their files by absolute path, which is why the
     * checkpoint is written under {@link ReleaseFixtures#checkpointRoot} and restored from there).
     */
    private static void copyCheckpoint(Path root, Path checkpoint, Path to) throws IOException {
        Path jobDir = checkpoint.getParent();
        copyTree(checkpoint, to.resolve(root.relativize(checkpoint).toString()));
        String metadata = Files.readString(checkpoint.resolve("_metadata"), java.nio.charset.StandardCharsets.ISO_8859_1);
        try (Stream<Path> shared = Files.list(jobDir.resolve("shared"))) {
            for (Path f : shared.filter(f -> metadata.contains(f.getFileName().toString())).toList()) {
                Path dest = to.resolve(root.relativize(f).toString());
                Files.createDirectories(dest.getParent());
                Files.copy(f, dest);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
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
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        awaitValue(what, () -> condition.call() ? Optional.of(Boolean.TRUE) : Optional.<Boolean>empty());
    }

    private static <T> T awaitValue(String what, ThrowingSupplier<Optional<T>> poll) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Optional<T> got = poll.get();
            if (got.isPresent()) {
                return got.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + TIMEOUT + " waiting for: " + what);
            }
            Thread.sleep(200); // the polling interval of a condition
        }
    }

    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }
}
