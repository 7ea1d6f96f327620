package dev.billing.bench;

import dev.billing.job.CommandLineErrors;
import dev.billing.job.JobOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/billing bench}: the benchmark harness. Separate from {@code mvn verify}; it runs only
 * when asked, and writes target/bench/result.json and target/bench/report.html.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Benchmark the billing job on this machine, end to end, and write target/bench/result.json and"
                    + " target/bench/report.html.",
            "Phases: (1) JMH of the per-record hot path and of the keyed ledger stage on RocksDB;"
                    + " (2) a real KRaft broker is pre-loaded with usage records over Zipf-distributed accounts and"
                    + " the four models, plus one credit purchase per account;"
                    + " (3) a Kafka->Kafka passthrough job (parse and re-serialize only) reads them: the ceiling;"
                    + " (4) the billing job (RocksDB, exactly-once checkpoints, real Kafka and PostgreSQL sinks) reads"
                    + " the same records: records/s, ratio to the ceiling, PostgreSQL rows/s, state per account;"
                    + " (5) at half of that rate, and again at a fixed --fixed-rate, accounts are driven across zero balance"
                    + " and the time until a gateway-style consumer of account-status sees each cutoff is measured;"
                    + " (6) small requests go alternately through the reference gateway with its door (a reservation in"
                    + " PostgreSQL, the usage journal forced to disk) and without it: what admission adds, p50 and p99.",
            "Each job runs in its own JVM with --job-heap, so heap and peak RSS are the job's own.",
            "PostgreSQL: BILLING_JDBC_URL, else localhost:5432, else an embedded one (schema billing_bench is recreated).",
            "--quick takes about 15 minutes on 2 cores (three interleaved repetitions); the full run (1 M accounts,"
                    + " one repetition) about 15."})
public class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Smaller run, about 15 minutes: 1,500,000 records over 50,000 accounts,"
            + " three repetitions, 3,000 cutoffs in 60 s per latency phase, short JMH.")
    boolean quick;

    @Option(names = "--records", description = "Usage records pre-loaded and read by each job"
            + " (default: 3,000,000; quick 1,500,000).")
    Long records;

    @Option(names = "--accounts", description = "Accounts the records are spread over, up to 1,000,000 and more"
            + " (default: 1,000,000; quick 50,000).")
    Integer accounts;

    @Option(names = "--skew", defaultValue = "1.0", description = "Zipf exponent of records over accounts:"
            + " 0 is uniform, 1 a few heavy accounts and a long tail (default: ${DEFAULT-VALUE}).")
    double skew;

    @Option(names = "--partitions", defaultValue = "4", description = "Partitions of the input topics (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--parallelism", defaultValue = "2", description = "Parallelism of both jobs (default: ${DEFAULT-VALUE}, the cores here).")
    int parallelism;

    @Option(names = "--checkpoint-interval", defaultValue = "10s", converter = JobOptions.DurationConverter.class,
            description = "Exactly-once checkpoint interval of both jobs (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(names = "--job-heap", defaultValue = "1g", description = "-Xmx of each job's JVM: the TaskManager heap"
            + " under test (default: ${DEFAULT-VALUE}).")
    String jobHeap;

    @Option(names = "--cutoffs", description = "Accounts driven across zero balance in the latency phase"
            + " (default: 3,000 in both modes).")
    Integer cutoffs;

    @Option(names = "--cutoff-phase", converter = JobOptions.DurationConverter.class,
            description = "Length of each latency phase (default: 90s; quick 60s).")
    Duration cutoffPhase;

    @Option(names = "--cutoff-rate", description = "Records/s of the latency phase instead of half the billing"
            + " job's measured rate, e.g. to see the latency at a given load.")
    Double cutoffRate;

    @Option(names = "--fixed-rate", defaultValue = "2000", description = "Records/s of a second latency phase at a"
            + " fixed, moderate load, the same on every machine; 0 skips it (default: ${DEFAULT-VALUE}).")
    double fixedRate;

    @Option(names = "--repeat", description = "Repetitions of the passthrough and billing runs, interleaved (passthrough,"
            + " billing, passthrough, billing, ...); every figure is their median, with the spread. Each latency phase"
            + " is cut into as many windows (default: 3; full 1).")
    Integer repeat;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the generated records (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-jmh", negatable = true, defaultValue = "true", description = "Run the JMH benchmarks (default: on).")
    boolean jmh = true;

    @Option(names = "--no-keyed-passthrough", negatable = true, defaultValue = "true",
            description = "Also run the passthrough with a keyBy on the account between parse and write, the floor of"
                    + " any keyed design: how much of the gap is the shuffle (default: on).")
    boolean keyedPassthrough = true;

    @Option(names = "--no-profile", negatable = true, defaultValue = "true",
            description = "Record the billing job with Java Flight Recorder and summarize where its CPU went (default: on).")
    boolean profile = true;

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE", description = "A Flink option for both jobs, to try a"
            + " tuning, e.g. execution.buffer-timeout=10ms (repeatable).")
    Map<String, String> flinkConf = new LinkedHashMap<>();

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "A Kafka client property for the"
            + " consumers and producers of both jobs, to try a client tuning, e.g. fetch.max.wait.ms=10 (repeatable).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--output", defaultValue = "target/bench", description = "Where result.json, report.html and"
            + " the jobs' logs go (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--work-dir", description = "Kafka log, checkpoints and RocksDB files; needs about 1 GB per"
            + " million records (default: <output>/work, deleted at the end).")
    Path workDir;

    @Option(names = "--keep-work", description = "Keep the work directory at the end.")
    boolean keepWork;

    @Option(names = "--timeout-factor", defaultValue = "1.0", description = "Multiply every wait by this on a slow"
            + " or busy machine (default: ${DEFAULT-VALUE}).")
    double timeoutFactor;

    public static void main(String[] args) {
        System.exit(CommandLineErrors.install(new CommandLine(new BenchCommand())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchSettings settings = settings();
        return new BenchRun(settings, new Console()).run();
    }

    BenchSettings settings() {
        long n = records != null ? records : quick ? 1_500_000L : 3_000_000L;
        int a = accounts != null ? accounts : quick ? 50_000 : 1_000_000;
        int c = cutoffs != null ? cutoffs : 3_000;
        Duration phase = cutoffPhase != null ? cutoffPhase : Duration.ofSeconds(quick ? 60 : 90);
        int reps = repeat != null ? repeat : quick ? 3 : 1;
        if (n < 10_000 || a < 1 || c < reps || phase.toSeconds() < 5L * reps || parallelism < 1 || partitions < 1
                || reps < 1 || fixedRate < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "Need --records of at least 10,000, --cutoff-phase of at least 5s per --repeat, at least one cutoff"
                            + " per --repeat, a --fixed-rate of 0 or more, and positive --accounts, --cutoffs, --repeat,"
                            + " --parallelism and --partitions.");
        }
        Path out = output.toAbsolutePath();
        return new BenchSettings(quick, n, a, skew, partitions, parallelism, checkpointInterval, jobHeap, c, phase, cutoffRate, fixedRate, reps, seed,
                jmh, keyedPassthrough, profile, flinkConf, kafkaProperties, out, workDir != null ? workDir.toAbsolutePath() : out.resolve("work"), keepWork,
                timeoutFactor);
    }
}
