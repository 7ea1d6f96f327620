package dev.billing.bench.report;

import dev.billing.bench.BenchSettings;
import dev.billing.bench.jmh.JmhRunner;
import dev.billing.bench.measure.JfrProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one benchmark run measured; filled phase by phase, then written out. */
public final class BenchResult {
    public BenchSettings settings;
    public String startedAt;
    public Map<String, String> machine = new LinkedHashMap<>();
    public double durationSeconds;

    public double loadRecordsPerSecond;

    public JobRun passthrough = new JobRun();
    /** The passthrough with a keyBy on the account; not run (NaN records/s) with --no-keyed-passthrough. */
    public JobRun keyedPassthrough = new JobRun();
    public JobRun billing = new JobRun();
    /** billing / passthrough of each repetition, each pair measured one after the other. */
    public List<Double> ratios = new ArrayList<>();

    /** Rows the ledger handed to the JDBC sinks per second while reading the pre-loaded topic. */
    public double postgresRowsPerSecond = Double.NaN;
    public double postgresRowsPerRecord = Double.NaN;
    /** Rows PostgreSQL itself counted (pg_stat_user_tables n_tup_ins + n_tup_upd) over the whole billing run. */
    public long postgresRowsWrittenPgStat = -1;
    public long postgresRowsPresent = -1;

    public long stateFullCheckpointBytes = -1;
    public long accountsInState;
    public double stateBytesPerAccount = Double.NaN;
    /** What an account keeps once its dedupe and rollup entries have expired: its value and timers. */
    public double idleAccountStateBytes = Double.NaN;
    public Map<String, Long> rocksdbBytesByState = new LinkedHashMap<>();
    public Map<String, Long> rocksdbKeysByState = new LinkedHashMap<>();

    /** The latency phase at half the billing job's rate (or at --cutoff-rate). */
    public Steady steady = new Steady();
    /** The latency phase at a fixed, moderate rate (--fixed-rate); not run when its rate is 0. */
    public Steady fixedRate = new Steady();

    /** What the gateway's door adds to a request: the same requests through a gateway with it and one without. */
    public Admission admission = new Admission();

    public Map<String, JmhRunner.Score> jmh = new LinkedHashMap<>();

    public JfrProfile.Profile profile;
    public String profileFile;

    public List<Target> targets = new ArrayList<>();

    public Spread ratio() {
        return Spread.of(ratios);
    }

    /** One job's run over the pre-loaded records. */
    public static final class JobRun {
        /** The median of {@link #repetitions}. */
        public double recordsPerSecond = Double.NaN;
        /** The steady rate of each repetition, in the order they ran. */
        public List<Double> repetitions = new ArrayList<>();
        /** Cores the job's JVM kept busy while it read the records (10 % to 90 %). */
        public double jobCores = Double.NaN;
        /** Cores the harness's JVM (broker, consumers) kept busy meanwhile. */
        public double harnessCores = Double.NaN;
        /** Cores the PostgreSQL server kept busy meanwhile, and the whole machine. */
        public double postgresCores = Double.NaN;
        public double machineCores = Double.NaN;
        public double seconds;
        /** (seconds, records/s) points. */
        public List<double[]> series = new ArrayList<>();
        public long rssPeakBytes = -1;
        public long heapMaxBytes = -1;
        public long heapAfterGcMaxBytes = -1;
        public long heapUsedMaxBytes = -1;
        public long restarts = -1;
        public String finalStatus;
        public List<Checkpoint> checkpoints = new ArrayList<>();
        public String log;

        public Spread spread() {
            return Spread.of(repetitions);
        }
    }

    public record Checkpoint(long id, long durationMs, long sizeBytes, long fullSizeBytes, double atSecond) {}

    public static final class Admission {
        public long requestsEach;
        public double bareP50Ms = Double.NaN;
        public double bareP99Ms = Double.NaN;
        public double doorP50Ms = Double.NaN;
        public double doorP99Ms = Double.NaN;
    }

    /** A latency phase: steady load at a given rate, accounts driven across zero. */
    public static final class Steady {
        /**
         * A job that keeps up has billed a window's records within this long after the load stops:
         * the last records' own latency plus the harness's 200 ms sampling, not a backlog.
         */
        public static final double MAX_DRAIN_MS = 1_500;

        /** How the rate was chosen: "half load", "--cutoff-rate", "fixed rate". */
        public String label;
        public double targetRecordsPerSecond = Double.NaN;

        /** Whether this phase was run (the fixed-rate one is skipped with --fixed-rate 0). */
        public boolean ran() {
            return label != null;
        }
        public double recordsPerSecond;
        public double billedPerSecond;
        /** Cores the job's JVM and the harness's (broker, load generator, gateway probe) kept busy. */
        public double jobCores = Double.NaN;
        public double harnessCores = Double.NaN;
        public double postgresCores = Double.NaN;
        public double machineCores = Double.NaN;
        public double changedKeysPerSecond;
        public double postgresRowsPerSecond;
        public long postgresRowsWrittenPgStat = -1;
        public double postgresRowsPerSecondPgStat = Double.NaN;
        public long cutoffsExpected;
        public long cutoffsSeen;
        public long cutoffsMissing;
        public double p50Ms = Double.NaN;
        public double p90Ms = Double.NaN;
        public double p99Ms = Double.NaN;
        public double maxMs = Double.NaN;
        public double meanMs = Double.NaN;
        /** The slowest 1 % of the cutoffs, and how many of them were in flight while a checkpoint ran. */
        public int slowestCutoffs;
        public int slowestDuringCheckpoint;
        /** The share of the phase during which a checkpoint ran. */
        public double checkpointTimeShare = Double.NaN;
        /** (percentile, ms) points of the latency distribution. */
        public List<double[]> percentiles = new ArrayList<>();
        /** Every window's records were billed within {@link #MAX_DRAIN_MS} of its end, and every cutoff arrived. */
        public boolean keptUp;
        /** For each window: from the end of its load until the job had billed every record of it. */
        public List<Double> drainMs = new ArrayList<>();
        /** p50 and p99 of each window of the phase (its cutoffs measured on their own). */
        public List<Double> windowP50Ms = new ArrayList<>();
        public List<Double> windowP99Ms = new ArrayList<>();
        /** (seconds, records/s) of the job during the phase. */
        public List<double[]> series = new ArrayList<>();
    }

    /** One of the targets: what it asks, what was measured, whether it holds. */
    public record Target(String name, String goal, String measured, boolean met, String note) {}
}
