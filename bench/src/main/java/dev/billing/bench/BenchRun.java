package dev.billing.bench;

import dev.billing.bench.jmh.JmhRunner;
import dev.billing.bench.measure.AdmissionLatency;
import dev.billing.bench.measure.CheckpointOverlap;
import dev.billing.bench.measure.ConsumerLag;
import dev.billing.bench.measure.GatewayProbe;
import dev.billing.bench.measure.JfrProfile;
import dev.billing.bench.measure.PostgresStats;
import dev.billing.bench.measure.Throughput;
import dev.billing.bench.process.JobProcess;
import dev.billing.bench.process.JobProcessMain;
import dev.billing.bench.process.PassthroughJob;
import dev.billing.bench.process.ProcessCpu;
import dev.billing.bench.process.RateProgress;
import dev.billing.bench.process.Sample;
import dev.billing.bench.report.BenchResult;
import dev.billing.bench.report.HtmlReport;
import dev.billing.bench.report.ResultJson;
import dev.billing.bench.report.SummaryTable;
import dev.billing.bench.report.Targets;
import dev.billing.bench.workload.BenchTopics;
import dev.billing.bench.workload.SteadyLoad;
import dev.billing.bench.workload.TopicLoader;
import dev.billing.bench.workload.UsageMessages;
import dev.billing.embedded.EmbeddedKafka;
import dev.billing.embedded.LocalPostgres;
import dev.billing.gateway.DatabaseOptions;
import dev.billing.job.JdbcUrls;
import dev.billing.job.JobOptions;
import dev.billing.job.Migrations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;

/** One benchmark run, phase by phase; see {@link BenchCommand} for what each phase does. */
public final class BenchRun {
    static final String SCHEMA = "billing_bench";
    static final String PASSTHROUGH_OUTPUT = "passthrough-out";
    static final String ADMISSION_USAGE = "bench-admission-usage";
    static final String BILLING_GROUP = "bench-billing";
    static final String BILLED = "recordsBilled";

    private final BenchSettings s;
    private final Console out;
    private final BenchResult result = new BenchResult();
    /** The job's own defaults: topic names, flush interval. */
    private final JobOptions defaults = new JobOptions();
    private Path work;

    public BenchRun(BenchSettings settings, Console out) {
        this.s = settings;
        this.out = out;
        new CommandLine(defaults).parseArgs();
    }

    public int run() throws Exception {
        long started = System.nanoTime();
        result.settings = s;
        result.startedAt = Instant.now().toString();
        result.machine = MachineInfo.describe();
        Files.createDirectories(s.output());
        work = Files.createDirectories(s.workDir()).resolve("run-" + System.currentTimeMillis());
        Files.createDirectories(work);
        out.accept(String.format("billing bench (%s): %,d records over %,d accounts (Zipf %.2f), %d partitions,"
                        + " parallelism %d, checkpoints every %ds, job heap %s; %s cores, load average %s",
                s.mode(), s.records(), s.accounts(), s.skew(), s.partitions(), s.parallelism(),
                s.checkpointInterval().toSeconds(), s.jobHeap(), result.machine.get("cores"),
                result.machine.get("load_average_at_start")));
        try {
            if (s.jmh()) {
                runJmh();
            }
            runPipelines();
        } finally {
            if (!s.keepWork()) {
                deleteRecursively(work);
            }
        }
        result.durationSeconds = (System.nanoTime() - started) / 1e9;
        result.machine.put("load_average_at_end", MachineInfo.loadAverage());
        result.targets = Targets.evaluate(result);
        Path json = ResultJson.write(result, s.output().resolve("result.json"));
        Path html = HtmlReport.write(result, s.output().resolve("report.html"));
        out.phase("Result");
        SummaryTable.print(result);
        out.accept("Wrote " + json + " and " + html);
        return 0;
    }

    private void runJmh() throws Exception {
        out.phase("JMH: per-record hot path and keyed ledger stage, one thread, forked JVM (about "
                + (s.quick() ? "1 minute" : "2 minutes") + ")");
        List<String> flags = new ArrayList<>(List.of("-Xmx1g"));
        flags.addAll(JobProcess.moduleFlags());
        result.jmh = JmhRunner.run(s.quick(), flags, s.flinkConf(), work.resolve("jmh"));
        result.jmh.forEach((name, score) -> out.accept(String.format("  %-34s %,12.0f records/s per core (± %,.0f)",
                name, score.perSecond(), score.error())));
    }

    private void runPipelines() throws Exception {
        out.phase("Starting a Kafka broker (KRaft, in-process) and finding PostgreSQL");
        try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
                LocalPostgres postgres = LocalPostgres.locate(line -> out.accept(JdbcUrls.redacted(line)))) {
            String bootstrap = kafka.bootstrapServers();
            String jdbcUrl = postgres.freshSchema(SCHEMA);
            out.accept("Kafka " + bootstrap + "; PostgreSQL schema " + SCHEMA + " (recreated)");
            UsageMessages messages = new UsageMessages(s.accounts(), s.skew(), Long.toString(s.seed()));
            load(bootstrap, messages);
            runPassthrough(bootstrap);
            PostgresStats pg = new PostgresStats(postgres.jdbcUrl, postgres.user, postgres.password, SCHEMA);
            runBilling(bootstrap, jdbcUrl, postgres, pg, messages);
            runAdmission(bootstrap, postgres);
        }
    }

    private void runAdmission(String bootstrap, LocalPostgres postgres) throws Exception {
        int requests = s.quick() ? 2_000 : 10_000;
        out.phase(String.format("Gateway admission: %,d small requests through a gateway with its door (reservation in"
                + " PostgreSQL, usage journal forced to disk) and %,d through one without, alternately", requests, requests));
        String jdbcUrl = postgres.freshSchema(SCHEMA + "_admission");
        Migrations.apply(jdbcUrl, postgres.user, postgres.password);
        BenchTopics.create(bootstrap, s.partitions(), List.of(ADMISSION_USAGE));
        BenchResult.Admission a = AdmissionLatency.measure(bootstrap, ADMISSION_USAGE,
                new DatabaseOptions(jdbcUrl, postgres.user, postgres.password), work.resolve("usage-journal"), requests,
                out::accept);
        result.admission = a;
        out.accept(String.format("  with the door p50 %.2f ms, p99 %.2f ms; without p50 %.2f ms, p99 %.2f ms: the door adds"
                + " %.2f ms at p50, %.2f ms at p99", a.doorP50Ms, a.doorP99Ms, a.bareP50Ms, a.bareP99Ms,
                a.doorP50Ms - a.bareP50Ms, a.doorP99Ms - a.bareP99Ms));
    }

    private void load(String bootstrap, UsageMessages messages) throws Exception {
        out.phase(String.format("Pre-loading %,d account events and %,d usage records", s.accounts(), s.records()));
        BenchTopics.create(bootstrap, s.partitions(),
                List.of(defaults.usageTopic, defaults.eventsTopic, PASSTHROUGH_OUTPUT));
        long now = System.currentTimeMillis();
        try (TopicLoader loader = new TopicLoader(bootstrap)) {
            double eventRate = loader.load(defaults.eventsTopic, s.accounts(), i -> new ProducerRecord<>(defaults.eventsTopic,
                    UsageMessages.accountId((int) i).getBytes(StandardCharsets.UTF_8), messages.purchase((int) i, now)), out);
            out.accept(String.format("  %,d CREDITS_PURCHASED events of $%s (%,.0f records/s)", s.accounts(),
                    UsageMessages.PURCHASE_USD, eventRate));
            SplittableRandom random = new SplittableRandom(s.seed());
            result.loadRecordsPerSecond = loader.load(defaults.usageTopic, s.records(), i -> {
                UsageMessages.Usage u = messages.usage(i, random, System.currentTimeMillis());
                return new ProducerRecord<>(defaults.usageTopic, u.account().getBytes(StandardCharsets.UTF_8), u.json());
            }, out);
            out.accept(String.format("  %,d usage records (%,.0f records/s)", s.records(), result.loadRecordsPerSecond));
        }
    }

    private void runPassthrough(String bootstrap) throws Exception {
        out.phase("Passthrough job (Kafka -> parse JSON -> write JSON -> Kafka): the ceiling");
        runPassthrough(bootstrap, JobProcessMain.Kind.passthrough, result.passthrough);
        if (s.keyedPassthrough()) {
            out.phase("Keyed passthrough (the same, with a keyBy on the account between parse and write): the floor of"
                    + " any keyed design");
            runPassthrough(bootstrap, JobProcessMain.Kind.keyed_passthrough, result.keyedPassthrough);
        }
    }

    private void runPassthrough(String bootstrap, JobProcessMain.Kind kind, BenchResult.JobRun run) throws Exception {
        String name = kind.name().replace('_', '-');
        List<String> args = new ArrayList<>(List.of("--kind", kind.name(),
                "--bootstrap-servers", bootstrap,
                "--checkpoint-dir", work.resolve("checkpoints-" + name).toUri().toString(),
                "--passthrough-input", defaults.usageTopic, "--passthrough-output", PASSTHROUGH_OUTPUT));
        args.addAll(commonJobArgs());
        try (JobProcess job = JobProcess.start(name, args, s.jobHeap(), null, work.resolve("tmp-" + name),
                s.output().resolve("logs"), Map.of())) {
            Sample done = job.await("all records passed through", x -> x.counter(PassthroughJob.COUNTER) >= s.records(),
                    s.timeoutFor(s.records()),
                    new RateProgress(name, PassthroughJob.COUNTER, s.records(), out));
            Sample last = job.finish(Duration.ofSeconds(60));
            fillJobRun(run, job, PassthroughJob.COUNTER, last != null ? last : done);
            coresDuringThroughput(run, job.samples(), PassthroughJob.COUNTER);
            out.accept(String.format("  %s: %,.0f records/s (steady, %d%%..%d%% of the records); cores busy:"
                            + " job %.2f, harness %.2f", name, run.recordsPerSecond, (int) (Throughput.FROM * 100),
                    (int) (Throughput.TO * 100), run.jobCores, run.harnessCores));
        }
    }

    private void runBilling(String bootstrap, String jdbcUrl, LocalPostgres postgres, PostgresStats pg,
            UsageMessages messages) throws Exception {
        out.phase("Billing job (RocksDB, exactly-once checkpoints every " + s.checkpointInterval().toSeconds()
                + " s, Kafka and PostgreSQL sinks) on the same records");
        List<String> args = new ArrayList<>(List.of("--kind", JobProcessMain.Kind.billing.name(),
                "--bootstrap-servers", bootstrap, "--group-id", BILLING_GROUP,
                "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user,
                "--checkpoint-dir", work.resolve("checkpoints-billing").toUri().toString(),
                "--topic-partitions", Integer.toString(s.partitions())));
        args.addAll(commonJobArgs());
        Path jfr = s.profile() ? s.output().resolve("billing.jfr") : null;
        long pgBefore = pg.rowsWritten();
        // the password goes through the environment, not the command line other users can read
        try (JobProcess job = JobProcess.start("billing", args, s.jobHeap(), jfr, work.resolve("tmp-billing"),
                s.output().resolve("logs"), Map.of("BILLING_JDBC_PASSWORD", postgres.password))) {
            Sample done = job.await("all records billed", x -> x.counter(BILLED) >= s.records(), s.timeoutFor(s.records()),
                    new RateProgress("billing", BILLED, s.records(), out));
            result.billing.recordsPerSecond = Throughput.steadyRate(job.samples(), BILLED, s.records());
            postgresDuringThroughput(job.samples());
            coresDuringThroughput(result.billing, job.samples(), BILLED);
            out.accept(String.format("  billing: %,.0f records/s (steady, %d%%..%d%% of the records); ratio to the"
                            + " passthrough %.2f; cores busy: job %.2f, harness %.2f", result.billing.recordsPerSecond,
                    (int) (Throughput.FROM * 100), (int) (Throughput.TO * 100),
                    result.billing.recordsPerSecond / result.passthrough.recordsPerSecond, result.billing.jobCores,
                    result.billing.harnessCores));
            measureState(job, bootstrap);
            runCutoffs(job, bootstrap, pg, messages);
            Sample last = job.finish(Duration.ofSeconds(90));
            fillJobRun(result.billing, job, BILLED, last != null ? last : done);
        }
        Thread.sleep(1_500); // pg_stat counters trail the writes by up to a second
        result.postgresRowsWrittenPgStat = pg.rowsWritten() - pgBefore;
        result.postgresRowsPresent = pg.rowsPresent();
        if (jfr != null && Files.exists(jfr)) {
            result.profile = JfrProfile.read(jfr, 12);
            result.profileFile = jfr.toString();
            out.accept("  profile of the billing job: " + jfr + " (" + result.profile.samples() + " CPU samples)");
        }
    }

    /** The samples where {@code counter} first reached 10 % and 90 % of the records: the steady window. */
    private Sample[] steadyWindow(List<Sample> samples, String counter) {
        Sample from = null;
        for (Sample x : samples) {
            if (from == null && x.counter(counter) >= Throughput.FROM * s.records()) {
                from = x;
            }
            if (from != null && x.counter(counter) >= Throughput.TO * s.records() && x.t() > from.t()) {
                return new Sample[] {from, x};
            }
        }
        return null;
    }

    /** CPU of the job's and the harness's JVMs over the steady window. */
    private void coresDuringThroughput(BenchResult.JobRun run, List<Sample> samples, String counter) {
        Sample[] w = steadyWindow(samples, counter);
        if (w != null) {
            run.jobCores = ProcessCpu.cores(w[0].cpuNanos(), w[1].cpuNanos(), w[1].t() - w[0].t());
            run.harnessCores = ProcessCpu.cores(w[0].harnessCpuNanos(), w[1].harnessCpuNanos(), w[1].t() - w[0].t());
        }
    }

    /** Rows the ledger handed to PostgreSQL while it read the pre-loaded records, per second and per record. */
    private void postgresDuringThroughput(List<Sample> samples) {
        Sample[] w = steadyWindow(samples, BILLED);
        if (w != null) {
            result.postgresRowsPerSecond = (rows(w[1]) - rows(w[0])) * 1000.0 / (w[1].t() - w[0].t());
            result.postgresRowsPerRecord = (double) (rows(w[1]) - rows(w[0])) / (w[1].counter(BILLED) - w[0].counter(BILLED));
        }
    }

    private static long rows(Sample x) {
        return x.counter("rollupRowsFlushed") + x.counter("balanceRowsFlushed");
    }

    /**
     * Waits for a checkpoint that holds every input record (the group's committed offsets reach the
     * ends of both topics) and takes the state size from it.
     */
    private void measureState(JobProcess job, String bootstrap) throws Exception {
        out.accept("  waiting for a checkpoint that holds every record, to size the state ...");
        Duration timeout = Duration.ofSeconds((long) ((s.checkpointInterval().toSeconds() * 4 + 120) * s.timeoutFactor()));
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> inputs = List.of(defaults.usageTopic, defaults.eventsTopic);
        while (true) {
            long completed = job.last().checkpoint("numberOfCompletedCheckpoints");
            Sample after = job.await("a checkpoint", x -> x.checkpoint("numberOfCompletedCheckpoints") > completed,
                    timeout, x -> { });
            if (ConsumerLag.of(bootstrap, BILLING_GROUP, inputs) == 0) {
                result.stateFullCheckpointBytes = after.checkpoint("lastCheckpointFullSize");
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The billing job's checkpoints never caught up with its input within "
                        + timeout.toSeconds() + " s. Its log: " + job.log());
            }
        }
        // RocksDB's size gauges come every few samples; take the first one after the checkpoint's flush
        long checkpointed = job.last().t();
        Map<String, Long> gauges = job.await("RocksDB's size gauges", x -> x.t() > checkpointed && !x.rocksdb().isEmpty(),
                Duration.ofSeconds(30), x -> { }).rocksdb();
        long idle = 0;
        for (Map.Entry<String, Long> g : gauges.entrySet()) {
            String state = g.getKey().substring(0, g.getKey().lastIndexOf('.'));
            if (g.getKey().endsWith("total-sst-files-size")) {
                result.rocksdbBytesByState.merge(state, g.getValue(), Long::sum);
                if (!state.equals("seen-ids") && !state.equals("hourly-rollups")) {
                    idle += g.getValue();
                }
            } else if (g.getKey().endsWith("estimate-num-keys")) {
                result.rocksdbKeysByState.merge(state, g.getValue(), Long::sum);
            }
        }
        result.accountsInState = s.accounts();
        result.stateBytesPerAccount = (double) result.stateFullCheckpointBytes / s.accounts();
        result.idleAccountStateBytes = (double) idle / s.accounts();
        out.accept(String.format("  state: %,d bytes in the full checkpoint for %,d accounts = %.0f bytes per account;"
                        + " without dedupe and rollup entries (an idle account) %.0f bytes", result.stateFullCheckpointBytes,
                s.accounts(), result.stateBytesPerAccount, result.idleAccountStateBytes));
        out.accept("  RocksDB SST bytes by state: " + result.rocksdbBytesByState + "; keys: " + result.rocksdbKeysByState);
    }

    private void runCutoffs(JobProcess job, String bootstrap, PostgresStats pg, UsageMessages messages) throws Exception {
        BenchResult.Steady st = result.steady;
        st.targetRecordsPerSecond = s.cutoffRate() != null ? s.cutoffRate() : result.billing.recordsPerSecond / 2;
        st.cutoffsExpected = s.cutoffs();
        out.phase(String.format("Cutoff latency: %,.0f records/s (%s) for %d s, %,d accounts driven across zero balance",
                st.targetRecordsPerSecond, s.cutoffRate() != null ? "--cutoff-rate" : "half the billing rate",
                s.cutoffPhase().toSeconds(), s.cutoffs()));
        String runId = Long.toString(System.currentTimeMillis() % 100_000);
        try (GatewayProbe probe = new GatewayProbe(bootstrap, defaults.statusTopic);
                SteadyLoad load = new SteadyLoad(bootstrap)) {
            Sample before = job.last();
            long pgBefore = pg.rowsWritten();
            SteadyLoad.Stats stats = load.run(defaults.usageTopic, messages, st.targetRecordsPerSecond, s.cutoffPhase(),
                    s.cutoffs(), runId, probe, out);
            st.cutoffsMissing = probe.awaitAll(Duration.ofSeconds((long) (30 * s.timeoutFactor())));
            Sample after = job.last();
            long pgAfter = pg.rowsWritten();
            double seconds = (after.t() - before.t()) / 1000.0;
            st.recordsPerSecond = stats.recordsPerSecond();
            st.changedKeysPerSecond = stats.changedKeysPerSecond();
            st.billedPerSecond = (after.counter(BILLED) - before.counter(BILLED)) / seconds;
            st.postgresRowsPerSecond = (rows(after) - rows(before)) / seconds;
            st.jobCores = ProcessCpu.cores(before.cpuNanos(), after.cpuNanos(), after.t() - before.t());
            st.harnessCores = ProcessCpu.cores(before.harnessCpuNanos(), after.harnessCpuNanos(), after.t() - before.t());
            st.postgresRowsWrittenPgStat = pgAfter - pgBefore;
            st.postgresRowsPerSecondPgStat = (pgAfter - pgBefore) / seconds;
            st.series = Throughput.series(job.samples().stream().filter(x -> x.t() >= before.t()).toList(), BILLED,
                    before.t(), 1_000);
            Histogram h = probe.latencies();
            st.cutoffsSeen = h.getTotalCount();
            if (h.getTotalCount() > 0) {
                st.p50Ms = h.getValueAtPercentile(50);
                st.p90Ms = h.getValueAtPercentile(90);
                st.p99Ms = h.getValueAtPercentile(99);
                st.maxMs = h.getMaxValue();
                st.meanMs = h.getMean();
                for (double p : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100}) {
                    st.percentiles.add(new double[] {p, h.getValueAtPercentile(p)});
                }
            }
            out.accept(String.format("  sent %,.0f records/s; job billed %,.0f/s; PostgreSQL rows %,.0f/s (keys changed"
                            + " %,.0f/s); cores busy: job %.2f, harness (broker, generator, probe) %.2f",
                    st.recordsPerSecond, st.billedPerSecond, st.postgresRowsPerSecond, st.changedKeysPerSecond,
                    st.jobCores, st.harnessCores));
            out.accept(String.format("  cutoff latency over %,d cutoffs: p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d not seen",
                    st.cutoffsSeen, st.p50Ms, st.p99Ms, st.maxMs, st.cutoffsMissing));
            CheckpointOverlap.of(job.samples().stream().filter(x -> x.t() >= before.t() && x.t() <= after.t()).toList(),
                    probe.timings()).fill(st);
            out.accept(String.format("  the slowest 1 %%: %d cutoffs, %d of them in flight while a checkpoint ran"
                            + " (checkpoints ran %.0f %% of the phase)", st.slowestCutoffs, st.slowestDuringCheckpoint,
                    st.checkpointTimeShare * 100));
        }
    }

    private List<String> commonJobArgs() {
        List<String> args = new ArrayList<>(List.of(
                "--checkpoint-interval", s.checkpointInterval().toMillis() + "ms",
                "--parallelism", Integer.toString(s.parallelism())));
        s.flinkConf().forEach((k, v) -> args.addAll(List.of("--flink-conf", k + "=" + v)));
        return args;
    }

    private void fillJobRun(BenchResult.JobRun run, JobProcess job, String counter, Sample last) {
        List<Sample> samples = job.samples();
        if (Double.isNaN(run.recordsPerSecond)) {
            run.recordsPerSecond = Throughput.steadyRate(samples, counter, s.records());
        }
        long origin = samples.isEmpty() ? 0 : samples.get(0).t();
        run.series = Throughput.series(samples, counter, origin, 1_000);
        run.seconds = samples.isEmpty() ? 0 : (samples.get(samples.size() - 1).t() - origin) / 1000.0;
        run.rssPeakBytes = last.memory("rssPeak");
        run.heapMaxBytes = last.memory("heapMax");
        run.heapAfterGcMaxBytes = samples.stream().mapToLong(x -> x.memory("heapAfterGc")).max().orElse(-1);
        run.heapUsedMaxBytes = samples.stream().mapToLong(x -> x.memory("heapUsed")).max().orElse(-1);
        run.restarts = last.checkpoint("numRestarts");
        run.finalStatus = last.status();
        run.log = job.log().toString();
        long lastId = -1;
        for (Sample x : samples) {
            long id = x.checkpoint("lastCompletedCheckpointId");
            if (id > 0 && id != lastId) {
                run.checkpoints.add(new BenchResult.Checkpoint(id, x.checkpoint("lastCheckpointDuration"),
                        x.checkpoint("lastCheckpointSize"), x.checkpoint("lastCheckpointFullSize"), (x.t() - origin) / 1000.0));
                lastId = id;
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    // best effort: a leftover file in target/ is harmless
                }
            });
        } catch (IOException e) {
            // same
        }
    }
}
