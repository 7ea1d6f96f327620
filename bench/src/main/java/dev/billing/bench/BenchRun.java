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
import dev.billing.bench.report.Spread;
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
    /** The consumer group of the billing run under way: each run reads from the start in a group of its own. */
    private String billingGroup = BILLING_GROUP;

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
            out.accept("Kafka " + bootstrap + "; PostgreSQL schema " + SCHEMA + " (recreated for each billing run)");
            UsageMessages messages = new UsageMessages(s.accounts(), s.skew(), Long.toString(s.seed()));
            load(bootstrap, messages);
            PostgresStats pg = new PostgresStats(postgres.jdbcUrl, postgres.user, postgres.password, SCHEMA);
            runJobs(bootstrap, postgres, pg, messages);
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

    /**
     * The passthrough, keyed passthrough and billing runs, repeated and interleaved so that a change
     * in the machine's load between them touches every job alike; every figure is their median.
     */
    private void runJobs(String bootstrap, LocalPostgres postgres, PostgresStats pg, UsageMessages messages)
            throws Exception {
        if (s.repeat() > 1) {
            // the first job to read the topic also warms the broker's code and the page cache: not counted
            out.phase("Warm-up: one passthrough run that is not counted");
            runPassthrough(bootstrap, JobProcessMain.Kind.passthrough, new BenchResult.JobRun(), 0);
        }
        for (int rep = 1; rep <= s.repeat(); rep++) {
            String of = s.repeat() == 1 ? "" : String.format(" (repetition %d of %d)", rep, s.repeat());
            out.phase("Passthrough job (Kafka -> parse JSON -> write JSON -> Kafka): the ceiling" + of);
            runPassthrough(bootstrap, JobProcessMain.Kind.passthrough, result.passthrough, rep);
            if (s.keyedPassthrough()) {
                out.phase("Keyed passthrough (the same, with a keyBy on the account between parse and write): the floor of"
                        + " any keyed design" + of);
                runPassthrough(bootstrap, JobProcessMain.Kind.keyed_passthrough, result.keyedPassthrough, rep);
            }
            out.phase("Billing job (RocksDB, exactly-once checkpoints every " + s.checkpointInterval().toSeconds()
                    + " s, Kafka and PostgreSQL sinks) on the same records" + of);
            runBilling(bootstrap, postgres, pg, messages, rep);
        }
    }

    private String jobName(String kind, int rep) {
        return s.repeat() == 1 ? kind : kind + "-" + rep;
    }

    private void runPassthrough(String bootstrap, JobProcessMain.Kind kind, BenchResult.JobRun run, int rep)
            throws Exception {
        String name = jobName(kind.name().replace('_', '-'), rep);
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
            run.repetitions.add(Throughput.steadyRate(job.samples(), PassthroughJob.COUNTER, s.records()));
            run.recordsPerSecond = run.spread().median();
            fillJobRun(run, job, PassthroughJob.COUNTER, last != null ? last : done);
            coresDuringThroughput(run, job.samples(), PassthroughJob.COUNTER);
            out.accept(String.format("  %s: %,.0f records/s (steady, %d%%..%d%% of the records); cores busy: %s", name,
                    run.repetitions.get(run.repetitions.size() - 1), (int) (Throughput.FROM * 100),
                    (int) (Throughput.TO * 100), SummaryTable.cores(run.jobCores, run.harnessCores, run.postgresCores,
                            run.machineCores)));
        }
    }

    /**
     * One billing run over the pre-loaded records, from empty state into a fresh schema. The last
     * repetition goes on: the state is sized, then the latency phases run against the same job.
     */
    private void runBilling(String bootstrap, LocalPostgres postgres, PostgresStats pg, UsageMessages messages, int rep)
            throws Exception {
        boolean last = rep == s.repeat();
        String name = jobName("billing", rep);
        billingGroup = jobName(BILLING_GROUP, rep);
        String jdbcUrl = postgres.freshSchema(SCHEMA);
        List<String> args = new ArrayList<>(List.of("--kind", JobProcessMain.Kind.billing.name(),
                "--bootstrap-servers", bootstrap, "--group-id", billingGroup,
                "--jdbc-url", jdbcUrl, "--jdbc-user", postgres.user,
                "--checkpoint-dir", work.resolve("checkpoints-" + name).toUri().toString(),
                "--topic-partitions", Integer.toString(s.partitions())));
        args.addAll(commonJobArgs());
        Path jfr = s.profile() && last ? s.output().resolve("billing.jfr") : null;
        long pgBefore = pg.rowsWritten();
        BenchResult.JobRun run = result.billing;
        // the password goes through the environment, not the command line other users can read
        try (JobProcess job = JobProcess.start(name, args, s.jobHeap(), jfr, work.resolve("tmp-" + name),
                s.output().resolve("logs"), Map.of("BILLING_JDBC_PASSWORD", postgres.password))) {
            Sample done = job.await("all records billed", x -> x.counter(BILLED) >= s.records(), s.timeoutFor(s.records()),
                    new RateProgress(name, BILLED, s.records(), out));
            double rate = Throughput.steadyRate(job.samples(), BILLED, s.records());
            run.repetitions.add(rate);
            run.recordsPerSecond = run.spread().median();
            double passthrough = result.passthrough.repetitions.get(result.passthrough.repetitions.size() - 1);
            result.ratios.add(rate / passthrough);
            postgresDuringThroughput(job.samples());
            coresDuringThroughput(run, job.samples(), BILLED);
            out.accept(String.format("  %s: %,.0f records/s (steady, %d%%..%d%% of the records); ratio to the"
                            + " passthrough just before %.2f; cores busy: %s", name, rate, (int) (Throughput.FROM * 100),
                    (int) (Throughput.TO * 100), rate / passthrough, SummaryTable.cores(run.jobCores, run.harnessCores,
                            run.postgresCores, run.machineCores)));
            if (!last) {
                Sample end = job.finish(Duration.ofSeconds(90));
                fillJobRun(run, job, BILLED, end != null ? end : done);
                return;
            }
            out.accept(String.format("  billing / passthrough over %d repetitions: %s", s.repeat(),
                    result.ratio().describe("%.2f")));
            measureState(job, bootstrap);
            if (s.fixedRate() > 0) {
                runCutoffs(job, bootstrap, pg, messages, result.fixedRate, s.fixedRate(), "fixed rate");
            }
            boolean chosen = s.cutoffRate() != null;
            runCutoffs(job, bootstrap, pg, messages, result.steady,
                    chosen ? s.cutoffRate() : run.recordsPerSecond / 2, chosen ? "--cutoff-rate" : "half load");
            Sample end = job.finish(Duration.ofSeconds(90));
            fillJobRun(run, job, BILLED, end != null ? end : done);
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

    /** The samples where {@code counter} first reached the start and the end of the steady window ({@link Throughput}). */
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
            run.postgresCores = ProcessCpu.cores(w[0].postgresCpuNanos(), w[1].postgresCpuNanos(), w[1].t() - w[0].t());
            run.machineCores = ProcessCpu.cores(w[0].machineBusyNanos(), w[1].machineBusyNanos(), w[1].t() - w[0].t());
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
            if (ConsumerLag.of(bootstrap, billingGroup, inputs) == 0) {
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

    /**
     * A latency phase at {@code rate}: the steady load runs in {@link BenchSettings#repeat} windows,
     * each with its own cutoff accounts and gateway consumer, so that the spread of the windows'
     * percentiles shows how repeatable they are; the pooled histogram gives the phase's figures.
     */
    private void runCutoffs(JobProcess job, String bootstrap, PostgresStats pg, UsageMessages messages,
            BenchResult.Steady st, double rate, String label) throws Exception {
        st.label = label;
        st.targetRecordsPerSecond = rate;
        int windows = s.repeat();
        Duration window = s.cutoffPhase().dividedBy(windows);
        st.cutoffsExpected = s.cutoffs();
        out.phase(String.format("Cutoff latency at %,.0f records/s (%s): %d window%s of %d s, %,d accounts driven across"
                        + " zero balance in all", rate, label.equals("half load") ? "half the billing rate" : label,
                windows, windows == 1 ? "" : "s", window.toSeconds(), s.cutoffs()));
        Histogram pooled = new Histogram(3);
        List<long[]> timings = new ArrayList<>();
        long sent = 0;
        double loadSeconds = 0;
        double changedKeys = 0;
        long billedDuringLoad = 0;
        long rowsDuringLoad = 0;
        Sample before = job.last();
        long pgBefore = pg.rowsWritten();
        try (SteadyLoad load = new SteadyLoad(bootstrap)) {
            for (int w = 0; w < windows; w++) {
                int perWindow = s.cutoffs() / windows + (w < s.cutoffs() % windows ? 1 : 0);
                String runId = (System.currentTimeMillis() % 100_000) + "w" + w;
                try (GatewayProbe probe = new GatewayProbe(bootstrap, defaults.statusTopic)) {
                    Sample w0 = job.last();
                    SteadyLoad.Stats stats = load.run(defaults.usageTopic, messages, rate, window, perWindow, runId, probe,
                            out);
                    Sample w1 = job.last();
                    // kept up: what was sent is billed soon after the load stops, not after a backlog drains
                    long owed = w0.counter(BILLED) + stats.records();
                    Sample billed = job.await("the window's records billed", x -> x.counter(BILLED) >= owed,
                            s.timeoutFor(stats.records()), x -> { });
                    st.drainMs.add((double) (billed.t() - w1.t()));
                    st.cutoffsMissing += probe.awaitAll(Duration.ofSeconds((long) (30 * s.timeoutFactor())));
                    sent += stats.records();
                    loadSeconds += (w1.t() - w0.t()) / 1000.0;
                    changedKeys += stats.changedKeysPerSecond() * stats.seconds();
                    billedDuringLoad += w1.counter(BILLED) - w0.counter(BILLED);
                    rowsDuringLoad += rows(w1) - rows(w0);
                    Histogram h = probe.latencies();
                    pooled.add(h);
                    timings.addAll(probe.timings());
                    st.windowP50Ms.add((double) h.getValueAtPercentile(50));
                    st.windowP99Ms.add((double) h.getValueAtPercentile(99));
                    out.accept(String.format("  window %d: %,d cutoffs, p50 %d ms, p99 %d ms, max %d ms; sent %,.0f records/s,"
                                    + " billed %,.0f/s", w + 1, h.getTotalCount(), h.getValueAtPercentile(50),
                            h.getValueAtPercentile(99), h.getMaxValue(), stats.recordsPerSecond(),
                            (w1.counter(BILLED) - w0.counter(BILLED)) * 1000.0 / (w1.t() - w0.t())));
                }
            }
        }
        Sample after = job.last();
        long pgAfter = pg.rowsWritten();
        double seconds = (after.t() - before.t()) / 1000.0;
        st.recordsPerSecond = sent / loadSeconds;
        st.billedPerSecond = billedDuringLoad / loadSeconds;
        st.keptUp = st.drainMs.stream().allMatch(d -> d <= BenchResult.Steady.MAX_DRAIN_MS) && st.cutoffsMissing == 0;
        st.changedKeysPerSecond = changedKeys / loadSeconds;
        st.postgresRowsPerSecond = rowsDuringLoad / loadSeconds;
        st.jobCores = ProcessCpu.cores(before.cpuNanos(), after.cpuNanos(), after.t() - before.t());
        st.harnessCores = ProcessCpu.cores(before.harnessCpuNanos(), after.harnessCpuNanos(), after.t() - before.t());
        st.postgresCores = ProcessCpu.cores(before.postgresCpuNanos(), after.postgresCpuNanos(), after.t() - before.t());
        st.machineCores = ProcessCpu.cores(before.machineBusyNanos(), after.machineBusyNanos(), after.t() - before.t());
        st.postgresRowsWrittenPgStat = pgAfter - pgBefore;
        st.postgresRowsPerSecondPgStat = (pgAfter - pgBefore) / seconds;
        st.series = Throughput.series(job.samples().stream().filter(x -> x.t() >= before.t()).toList(), BILLED,
                before.t(), 1_000);
        st.cutoffsSeen = pooled.getTotalCount();
        if (pooled.getTotalCount() > 0) {
            st.p50Ms = pooled.getValueAtPercentile(50);
            st.p90Ms = pooled.getValueAtPercentile(90);
            st.p99Ms = pooled.getValueAtPercentile(99);
            st.maxMs = pooled.getMaxValue();
            st.meanMs = pooled.getMean();
            for (double p : new double[] {0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 100}) {
                st.percentiles.add(new double[] {p, pooled.getValueAtPercentile(p)});
            }
        }
        out.accept(String.format("  sent %,.0f records/s; job billed %,.0f/s while they were sent (%s); PostgreSQL rows"
                        + " %,.0f/s (keys changed %,.0f/s); cores busy: %s",
                st.recordsPerSecond, st.billedPerSecond, (st.keptUp ? "kept up" : "fell behind") + String.format(": the last"
                        + " record billed at most %,.0f ms after the load stopped", Spread.of(st.drainMs).max()),
                st.postgresRowsPerSecond,
                st.changedKeysPerSecond, SummaryTable.cores(st.jobCores, st.harnessCores, st.postgresCores, st.machineCores)));
        out.accept(String.format("  cutoff latency over %,d cutoffs: p50 %.0f ms, p99 %.0f ms, max %.0f ms; %d not seen;"
                        + " p99 of the windows %s", st.cutoffsSeen, st.p50Ms, st.p99Ms, st.maxMs, st.cutoffsMissing,
                Spread.of(st.windowP99Ms).describe("%,.0f ms")));
        CheckpointOverlap.of(job.samples().stream().filter(x -> x.t() >= before.t() && x.t() <= after.t()).toList(),
                timings).fill(st);
        out.accept(String.format("  the slowest 1 %%: %d cutoffs, %d of them in flight while a checkpoint ran"
                        + " (checkpoints ran %.0f %% of the phase)", st.slowestCutoffs, st.slowestDuringCheckpoint,
                st.checkpointTimeShare * 100));
    }

    private List<String> commonJobArgs() {
        List<String> args = new ArrayList<>(List.of(
                "--checkpoint-interval", s.checkpointInterval().toMillis() + "ms",
                "--parallelism", Integer.toString(s.parallelism())));
        s.flinkConf().forEach((k, v) -> args.addAll(List.of("--flink-conf", k + "=" + v)));
        s.kafkaProperties().forEach((k, v) -> args.addAll(List.of("--kafka-property", k + "=" + v)));
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
        run.checkpoints.clear(); // the last repetition's
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
