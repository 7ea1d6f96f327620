package dev.billing.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.serde.VersionedFormat;
import dev.billing.serde.VersionedTypeInfoFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a data engineer sees when a build meets state in a format it cannot read (a savepoint of a
 * later build, or of a format this build dropped): on a MiniCluster with RocksDB, the restore fails
 * before the operator reads a single record, and the error names the state's type and both formats.
 * The state type here is a probe whose current format the test sets, so one JVM plays both builds.
 */
class IncompatibleRestoreIT {
    /** The format the "build" of the moment writes and reads up to. */
    static volatile int probeFormat;
    static final AtomicLong RECORDS_READ = new AtomicLong();

    @Test
    void aFormatThisBuildCannotReadIsRefusedBeforeAnyRecordNamingTheStateAndTheFormats(@TempDir Path work)
            throws Exception {
        probeFormat = 2; // the later build
        JobClient job = job(work, null).executeAsync("writes format 2");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (RECORDS_READ.get() < 100) {
            assertThat(job.getJobStatus().get().isGloballyTerminalState()).as("the first run ended").isFalse();
            assertThat(System.nanoTime()).as("the first run read no records").isLessThan(deadline);
            Thread.sleep(10); // the polling interval of a condition: state written for every key
        }
        String savepoint = job.stopWithSavepoint(false, work.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();

        probeFormat = 1; // the earlier build, which reads format 1 only
        RECORDS_READ.set(0);
        assertThatThrownBy(() -> job(work, savepoint).execute("reads format 1"))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("Probe format 2 cannot be read by this build, which reads format 1"));
        assertThat(RECORDS_READ.get()).as("records read by the build that refused the state").isZero();
    }

    private static StreamExecutionEnvironment job(Path work, String savepoint) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.fromSource(new DataGeneratorSource<>(i -> i, Long.MAX_VALUE,
                        RateLimiterStrategy.perSecond(1_000), TypeInformation.of(Long.class)),
                        WatermarkStrategy.noWatermarks(), "numbers").uid("numbers")
                .keyBy(i -> i % 8)
                .process(new CountPerKey()).uid("count-per-key").name("count per key")
                .sinkTo(new DiscardingSink<>());
        return env;
    }

    /** Keeps a {@link Probe} per key. */
    static final class CountPerKey extends KeyedProcessFunction<Long, Long, Long> {
        private transient ValueState<Probe> count;

        @Override
        public void open(OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("probe-count", TypeInformation.of(Probe.class)));
        }

        @Override
        public void processElement(Long value, Context ctx, Collector<Long> out) throws Exception {
            RECORDS_READ.incrementAndGet();
            Probe p = count.value() == null ? new Probe() : count.value();
            p.count++;
            count.update(p);
        }
    }

    /** A state type. */
    @TypeInfo(ProbeFormat.TypeInfoFactory.class)
    public static final class Probe {
        public long count;
    }

    /** Its format: the test's {@link #probeFormat}, reading every format from 1 up to it. */
    public static final class ProbeFormat extends VersionedFormat<Probe> {
        private static final long serialVersionUID = 1L;

        public ProbeFormat() {
            super(Probe.class, 1, probeFormat);
        }

        public static final class TypeInfoFactory extends VersionedTypeInfoFactory<Probe> {
            public TypeInfoFactory() {
                super(new ProbeFormat());
            }
        }

        @Override
        protected void write(Probe value, DataOutputView out, int format) throws IOException {
            out.writeLong(value.count);
        }

        @Override
        protected Probe read(DataInputView in, int format) throws IOException {
            Probe p = new Probe();
            p.count = in.readLong();
            return p;
        }
    }
}
