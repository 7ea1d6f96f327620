package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.client.InputProducers;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;

/**
 * The job under a PostgreSQL fault while usage flows at a steady pace: hundreds of accounts billed a
 * little each, and a few accounts that run dry, some before the fault (the usual cutoff latency) and
 * some during it. Measures, per dry account, the time from producing the record that exhausts its
 * balance to its BLOCKED status on the status topic; and, through the cluster's REST API, the
 * checkpoints completed during the fault and the job's restarts. The ground truth of the rows is
 * {@link LedgerModel}.
 */
final class PostgresFaultScenario {
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);
    static final Duration CHECKPOINT_TIMEOUT = Duration.ofSeconds(5);
    private static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The fault: starts at its time into the run, and returns when it is over. */
    @FunctionalInterface
    interface Fault {
        void inject() throws Exception;
    }

    /** What a run measured; latencies in ms. */
    record Result(List<Long> beforeFault, List<Long> duringFault, long checkpointsDuringFault,
            long failedCheckpointsDuringFault, long restarts, long exceptions) {
        @Override
        public String toString() {
            return "cutoff latency before the fault " + summary(beforeFault) + ", during it " + summary(duringFault)
                    + "; checkpoints completed during the fault " + checkpointsDuringFault + ", failed " + failedCheckpointsDuringFault
                    + "; restarts " + restarts + ", exceptions " + exceptions;
        }
    }

    final PipelineFixture fixture;
    final LedgerModel model = new LedgerModel(System.currentTimeMillis());
    private final Random random;
    private final int perSecond;
    private final Duration length;
    private final Duration faultAt;
    private final List<Duration> cutoffsAt;
    /** Dry accounts by the index of the record that exhausts them. */
    private final Map<Integer, String> exhausting = new ConcurrentHashMap<>();
    private final Map<String, Long> exhaustedSentNs = new ConcurrentHashMap<>();
    private final Map<String, Long> blockedSeenNs = new ConcurrentHashMap<>();
    private int requestSeq;

    /**
     * @param cutoffsAt when, into the run, each dry account is to run out; those before {@code faultAt}
     *     measure the usual latency
     */
    PostgresFaultScenario(PipelineFixture fixture, long seed, int perSecond, Duration length, Duration faultAt,
            List<Duration> cutoffsAt) {
        this.fixture = fixture;
        this.random = new Random(seed);
        this.perSecond = perSecond;
        this.length = length;
        this.faultAt = faultAt;
        this.cutoffsAt = cutoffsAt;
    }

    /** Job options on {@code jdbcUrl}: 2 s checkpoints, parallelism 2. */
    static JobOptions options(PipelineFixture fixture, String jdbcUrl, String user, String password) throws Exception {
        Path checkpoints = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), "chk");
        String[] args = {
            "--bootstrap-servers", fixture.kafka.bootstrapServers(),
            "--jdbc-url", jdbcUrl,
            "--jdbc-user", user,
            "--jdbc-password", password,
            "--checkpoint-dir", checkpoints.toUri().toString(),
            "--checkpoint-interval", CHECKPOINT_INTERVAL.toMillis() + "ms",
            "--flush-interval", "300ms",
            "--parallelism", "2"};
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }

    /** Starts the job with a checkpoint timeout shorter than the fault. */
    static JobClient start(JobOptions options, String name) throws Exception {
        return start(options, name, null);
    }

    /** The same, restoring {@code savepoint} when not null. */
    static JobClient start(JobOptions options, String name, String savepoint) throws Exception {
        BillingJob.prepare(options);
        Configuration conf = JobConfiguration.of(options);
        conf.set(CheckpointingOptions.CHECKPOINTING_TIMEOUT, CHECKPOINT_TIMEOUT);
        if (savepoint != null) {
            conf.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        return BillingJob.environment(options, conf).executeAsync(name);
    }

    /** Waits until the job bills: one record of its own, its balance row in PostgreSQL. */
    void warmUp(JobOptions options) throws Exception {
        long at = Instant.now().minus(1, ChronoUnit.MINUTES).toEpochMilli();
        fixture.client.send(List.of(usage(options.usageTopic, "warm-000", MODELS[0], 1_000, 100, at)));
        model.usage("pf-" + requestSeq, "warm-000", MODELS[0], 1_000, 100, at);
        PipelineFixture.awaitTrue("the job bills", () -> fixture.balances(options).containsKey("warm-000"));
    }

    /** Sends the whole run's usage at its pace, injects {@code fault} at its time, and measures. */
    Result run(JobOptions options, JobClient job, String restUrl, Fault fault) throws Exception {
        List<Timed> messages = messages(options.usageTopic);
        FlinkRest rest = new FlinkRest(restUrl, job.getJobID().toHexString());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] checkpointsAtFault = new long[4];
        Thread watcher = new Thread(() -> watchStatuses(options.statusTopic, failure), "status watcher");
        watcher.setDaemon(true);
        watcher.start();
        Thread faultThread = new Thread(() -> {
            try {
                checkpointsAtFault[0] = rest.completedCheckpoints();
                checkpointsAtFault[2] = rest.failedCheckpoints();
                fault.inject();
                checkpointsAtFault[1] = rest.completedCheckpoints();
                checkpointsAtFault[3] = rest.failedCheckpoints();
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "fault");

        Properties p = InputProducers.properties(fixture.kafka.bootstrapServers());
        p.put("linger.ms", "5");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            boolean faultStarted = false;
            for (int i = 0; i < messages.size(); i++) {
                Timed m = messages.get(i);
                long due = start + m.atMs * 1_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // the pace of the simulated producers
                }
                if (!faultStarted && m.atMs >= faultAt.toMillis()) {
                    faultStarted = true;
                    faultThread.start();
                }
                String dry = exhausting.get(i);
                if (dry != null) {
                    exhaustedSentNs.put(dry, System.nanoTime());
                }
                producer.send(new ProducerRecord<>(m.message.topic(), m.message.key(), m.message.value()));
            }
            producer.flush();
        }
        faultThread.join();
        if (failure.get() != null) {
            throw new IllegalStateException("the fault or the status watcher failed", failure.get());
        }
        PipelineFixture.awaitTrue("a BLOCKED status of every dry account",
                () -> blockedSeenNs.keySet().containsAll(exhausting.values()));
        List<Long> before = new ArrayList<>();
        List<Long> during = new ArrayList<>();
        for (int k = 0; k < cutoffsAt.size(); k++) {
            String account = dryAccount(k);
            long ms = (blockedSeenNs.get(account) - exhaustedSentNs.get(account)) / 1_000_000;
            (cutoffsAt.get(k).compareTo(faultAt) < 0 ? before : during).add(ms);
        }
        return new Result(before, during, checkpointsAtFault[1] - checkpointsAtFault[0],
                checkpointsAtFault[3] - checkpointsAtFault[2],
                rest.restarts(), rest.exceptions());
    }

    /** Waits until PostgreSQL holds exactly the model's rows and balances. */
    void awaitExactRows(JobOptions options) throws Exception {
        PipelineFixture.awaitEqual("usage_hourly, to the last digit", model::rows, () -> fixture.usageHourly(options));
        PipelineFixture.awaitEqual("account_balance, to the last digit", model::balances, () -> fixture.balances(options));
    }

    static String dryAccount(int k) {
        return String.format("dry-%02d", k);
    }

    private record Timed(long atMs, TestMessage message) {}

    /**
     * The run's records in sending order: the steady load, and each dry account's records, heavy
     * enough that the free credits last about ten of them, placed so that the exhausting one goes at
     * its cutoff time. The model follows the same order, so it knows which record exhausts which account.
     */
    private List<Timed> messages(String topic) {
        long t0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS).toEpochMilli();
        List<Timed> timed = new ArrayList<>();
        long total = length.toSeconds() * perSecond;
        for (long i = 0; i < total; i++) {
            long at = i * 1000 / perSecond;
            String account = String.format("load-%03d", random.nextInt(300));
            timed.add(new Timed(at, usage(topic, account, MODELS[random.nextInt(MODELS.length)], 10 + random.nextInt(5_000),
                    random.nextInt(2_000), t0 + random.nextInt(2 * 3_600_000))));
        }
        for (int k = 0; k < cutoffsAt.size(); k++) {
            long cutoff = cutoffsAt.get(k).toMillis();
            for (int r = 0; r < 14; r++) {
                // 0.50 USD each (2,000,001 prompt tokens of deepseek-v3): the tenth exhausts the free 5.00
                timed.add(new Timed(cutoff + (r - 9) * 100L,
                        usage(topic, dryAccount(k), "deepseek-v3", 2_000_001, 0, t0 + 3_600_000 + r)));
            }
        }
        timed.sort(Comparator.comparingLong(Timed::atMs));
        List<Timed> ordered = new ArrayList<>(timed.size());
        for (Timed t : timed) {
            ordered.add(t);
            JsonNode n = parse(t.message.value());
            String account = n.get("account_id").asText();
            JsonNode usage = n.get("usage");
            boolean dry = account.startsWith("dry-");
            boolean wasBlocked = dry && blocked(account);
            model.usage(n.get("request_id").asText(), account, n.get("model").asText(),
                    usage.get("prompt_tokens").asLong(), usage.get("completion_tokens").asLong(),
                    Instant.parse(n.get("completed_at").asText()).toEpochMilli());
            if (dry && !wasBlocked && blocked(account)) {
                exhausting.put(ordered.size() - 1, account);
            }
        }
        assertThat(exhausting).hasSize(cutoffsAt.size());
        model.statusChanges().forEach((account, changes) -> {
            if (!account.startsWith("dry-")) {
                assertThat(changes).as("the load's account %s stays active", account).doesNotContain("BLOCKED");
            }
        });
        return ordered;
    }

    private boolean blocked(String account) {
        List<String> changes = model.statusChanges().get(account);
        return changes != null && !changes.isEmpty() && changes.get(changes.size() - 1).equals("BLOCKED");
    }

    private TestMessage usage(String topic, String account, String modelName, long prompt, long completion, long at) {
        String requestId = "pf-" + (++requestSeq);
        return TestMessage.valid(topic, account, UsageJson.of(requestId, account, modelName, prompt, completion, at, null)
                .toString());
    }

    /** Records when each dry account's first BLOCKED status is read, until the run's accounts are all seen. */
    private void watchStatuses(String topic, AtomicReference<Throwable> failure) {
        Properties p = new Properties();
        p.put("bootstrap.servers", fixture.kafka.bootstrapServers());
        p.put("group.id", "status-watch-" + UUID.randomUUID());
        p.put("auto.offset.reset", "earliest");
        p.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic)) {
                tps.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            while (blockedSeenNs.size() < cutoffsAt.size()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                    JsonNode s = parse(r.value());
                    String account = s.get("account_id").asText();
                    if (account.startsWith("dry-") && s.get("status").asText().equals("BLOCKED")) {
                        blockedSeenNs.putIfAbsent(account, System.nanoTime());
                    }
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String summary(List<Long> ms) {
        if (ms.isEmpty()) {
            return "(none)";
        }
        List<Long> sorted = ms.stream().sorted().toList();
        return "p50 " + sorted.get((sorted.size() - 1) / 2) + " ms, max " + sorted.get(sorted.size() - 1) + " ms "
                + sorted;
    }

    /** The few REST calls the scenario needs of the cluster the job runs on. */
    static final class FlinkRest {
        private final HttpClient http = HttpClient.newHttpClient();
        private final String base;

        FlinkRest(String restUrl, String jobId) {
            this.base = restUrl.replaceAll("/$", "") + "/jobs/" + jobId;
        }

        long completedCheckpoints() throws Exception {
            return get("/checkpoints").path("counts").path("completed").asLong();
        }

        long failedCheckpoints() throws Exception {
            return get("/checkpoints").path("counts").path("failed").asLong();
        }

        /**
         * The highest attempt number of any subtask: 0 while the job's first attempt runs (a
         * MiniCluster has no metric store for numRestarts to be read from), or -1 once the job
         * has been RESTARTING at all.
         */
        long restarts() throws Exception {
            JsonNode job = get("");
            if (job.path("timestamps").path("RESTARTING").asLong() > 0) {
                return -1;
            }
            long attempts = 0;
            for (JsonNode vertex : job.path("vertices")) {
                for (JsonNode subtask : get("/vertices/" + vertex.path("id").asText()).path("subtasks")) {
                    attempts = Math.max(attempts, subtask.path("attempt").asLong());
                }
            }
            return attempts;
        }

        /** Failures the job recorded (each would have been a restart). */
        long exceptions() throws Exception {
            return get("/exceptions").path("exceptionHistory").path("entries").size();
        }

        private JsonNode get(String path) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET " + base + path + ": " + r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        }
    }

    static Stream<Duration> seconds(int... s) {
        return java.util.Arrays.stream(s).mapToObj(Duration::ofSeconds);
    }
}
