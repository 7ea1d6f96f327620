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

    public Steady steady = new Steady();

    /** What the gateway's door adds to a request: the same requests through a gateway with it and one without. */
    public Admission admission = new Admission();

    public Map<String, JmhRunner.Score> jmh = new LinkedHashMap<>();

    public JfrProfile.Profile profile;
    public String profileFile;

    public List<Target> targets = new ArrayList<>();

    /** One job's run over the pre-loaded records. */
    public static final class JobRun {
        public double recordsPerSecond = Double.NaN;
        /** Cores the job's JVM kept busy while it read the records (10 % to 90 %). */
        public double jobCores = Double.NaN;
        /** Cores the harness's JVM (broker, consumers) kept busy meanwhile. */
        public double harnessCores = Double.NaN;
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
    }

    public record Checkpoint(long id, long durationMs, long sizeBytes, long fullSizeBytes, double atSecond) {}

    /** The latency phase: steady load at half the billing rate, accounts driven across zero. */
    public static final class Admission {
        public long requestsEach;
        public double bareP50Ms = Double.NaN;
        public double bareP99Ms = Double.NaN;
        public double doorP50Ms = Double.NaN;
        public double doorP99Ms = Double.NaN;
    }

    public static final class Steady {
        public double targetRecordsPerSecond;
        public double recordsPerSecond;
        public double billedPerSecond;
        /** Cores the job's JVM and the harness's (broker, load generator, gateway probe) kept busy. */
        public double jobCores = Double.NaN;
        public double harnessCores = Double.NaN;
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
        /** (seconds, records/s) of the job during the phase. */
        public List<double[]> series = new ArrayList<>();
    }

    /** One of the targets: what it asks, what was measured, whether it holds. */
    public record Target(String name, String goal, String measured, boolean met, String note) {}
}
