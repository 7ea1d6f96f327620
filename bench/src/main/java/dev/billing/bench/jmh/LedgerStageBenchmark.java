package dev.billing.bench.jmh;

import dev.billing.ingest.DefaultRateCard;
import dev.billing.ingest.UsageRecordParser;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import dev.billing.ledger.AccountLedger;
import dev.billing.ledger.LedgerSettings;
import dev.billing.model.AccountStatus;
import dev.billing.model.LedgerInput;
import dev.billing.model.RateCard;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import picocli.CommandLine;

/**
 * The keyed billing stage as it runs in the job: the real {@link AccountLedger} in Flink's operator
 * harness on the RocksDB state backend, fed parsed usage records (dedupe lookup and insert,
 * account state read and write, hourly rollup read and write, pricing, status decision). Every
 * record has a new request id, so none is dropped as a resend. One operation is one record.
 * The harness's processing-time clock advances 1 ms every {@link #RECORDS_PER_MS} records (50,000
 * records per simulated second), so the ledger's bundles close on time as well as on size and its
 * flushes (rollup and balance rows) are part of the cost, as in the job. {@link #bundleSize} 1 is
 * the ledger without bundles (one state read and write per record), for a side-by-side figure.
 *
 * <p>The backend is configured like the job's ({@link JobConfiguration}) plus the benchmark's
 * {@code --flink-conf} options, so a RocksDB tuning tried on the pipeline is tried here too.
 * RocksDB's block cache and memtables get a slot's share of the job's managed memory through
 * {@code state.backend.rocksdb.memory.fixed-per-slot}, which {@link JmhRunner} sets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LedgerStageBenchmark {
    private KeyedTwoInputStreamOperatorTestHarness<String, LedgerInput, RateCard, AccountStatus> harness;
    private UsageRecord[] records;
    private long now;
    private long sequence;
    /** Records per millisecond of the harness's processing-time clock. */
    static final int RECORDS_PER_MS = 50;

    /** Extra Flink options, "key=value;key=value" (empty for none). */
    @Param({""})
    public String flinkConf;

    /** Inputs per ledger bundle. */
    @Param({"1000", "1"})
    public int bundleSize = LedgerSettings.DEFAULT_BUNDLE_SIZE;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        now = System.currentTimeMillis();
        SourceRecord[] messages = BenchmarkMessages.build(now);
        UsageRecordParser parser = new UsageRecordParser(Duration.ofHours(1));
        records = new UsageRecord[messages.length];
        for (int i = 0; i < messages.length; i++) {
            records[i] = parser.parse(messages[i], now);
        }
        LedgerSettings settings = LedgerSettings.defaults().withBundles(bundleSize, LedgerSettings.DEFAULT_BUNDLE_TIME);
        harness = new KeyedTwoInputStreamOperatorTestHarness<>(new AccountLedger(settings, DefaultRateCard.load()),
                LedgerInput::accountId, card -> "", Types.STRING, 128, 1, 0);
        harness.setStateBackend(new EmbeddedRocksDBStateBackend().configure(backendConfiguration(),
                getClass().getClassLoader()));
        harness.open();
        harness.setProcessingTime(now);
    }

    private Configuration backendConfiguration() {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs();
        Configuration conf = JobConfiguration.of(options);
        for (String entry : flinkConf.split(";")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                conf.setString(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
            }
        }
        return conf;
    }

    @Benchmark
    public void bill() throws Exception {
        UsageRecord r = records[(int) (sequence & (BenchmarkMessages.MESSAGES - 1))];
        r.requestId = "jmh-" + sequence++;
        harness.processElement1(LedgerInput.of(r), now);
        if (sequence % RECORDS_PER_MS == 0) {
            harness.setProcessingTime(++now); // closes bundles and runs flushes that are due
        }
    }

    /** Statuses and alerts pile up in the harness; they are output, not state, so drop them between iterations. */
    @TearDown(Level.Iteration)
    public void dropOutput() {
        harness.getOutput().clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        harness.close();
    }
}
