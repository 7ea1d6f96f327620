package dev.billing.bench.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.job.BillingJob;
import dev.billing.job.JobConfiguration;
import dev.billing.job.JobOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The JVM a benchmarked job runs in: a Flink mini-cluster (JobManager and TaskManager in one
 * process, as {@code bin/billing job} runs it) with its own heap limit, so the heap and resident
 * set measured are the job's and not the Kafka broker's or the load generator's. Prints a
 * {@code BENCH {json}} line of metrics every sample interval on stdout; on a {@code finish} line
 * on stdin (or stdin closing) it prints a last one, cancels the job and exits.
 */
@Command(name = "bench-job-process", mixinStandardHelpOptions = true,
        description = "Internal: runs one benchmarked job for `billing bench` and reports its metrics on stdout.")
public final class JobProcessMain implements Callable<Integer> {
    public static final String LINE_PREFIX = "BENCH ";
    public static final String FINISH = "finish";

    public enum Kind { passthrough, keyed_passthrough, billing }

    @Option(names = "--kind", required = true)
    Kind kind;

    @Option(names = "--passthrough-input", defaultValue = "usage-records")
    String passthroughInput;

    @Option(names = "--passthrough-output", defaultValue = "passthrough-out")
    String passthroughOutput;

    @Option(names = "--flink-conf", paramLabel = "KEY=VALUE")
    Map<String, String> flinkConf = new LinkedHashMap<>();

    @Option(names = "--sample-interval-ms", defaultValue = "200")
    long sampleIntervalMs;

    @Option(names = "--metrics-dump", description = "At the end, write every metric of the job to this file.")
    java.nio.file.Path metricsDump;

    @Mixin
    JobOptions options = new JobOptions();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROCKSDB_EVERY = 25;
    private volatile boolean finishRequested;
    private int samples;

    public static void main(String[] args) {
        System.exit(new CommandLine(new JobProcessMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Configuration conf = JobConfiguration.of(options);
        conf.setString("metrics.reporter.bench.factory.class", BenchMetricsReporter.Factory.class.getName());
        flinkConf.forEach(conf::setString);
        StreamExecutionEnvironment env;
        if (kind == Kind.billing) {
            BillingJob.prepare(options);
            env = BillingJob.environment(options, conf);
        } else {
            env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            PassthroughJob.define(env, options.bootstrapServers, options.kafkaClientProperties(), passthroughInput,
                    passthroughOutput, kind == Kind.keyed_passthrough, options.maxFutureSkew);
        }
        JobClient job = env.executeAsync(switch (kind) {
            case billing -> BillingJob.JOB_NAME;
            case keyed_passthrough -> PassthroughJob.KEYED_NAME;
            case passthrough -> PassthroughJob.NAME;
        });
        listenForFinish();
        long started = System.currentTimeMillis();
        while (!finishRequested) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            emit(status, started, false);
            if (status.isGloballyTerminalState()) {
                System.err.println("The " + kind + " job ended with status " + status + "; see its log for the cause.");
                return 2;
            }
            Thread.sleep(sampleIntervalMs); // the sampling period of the metrics the harness times runs by
        }
        emit(job.getJobStatus().get(10, TimeUnit.SECONDS), started, true);
        if (metricsDump != null) {
            BenchMetricsReporter.dump(metricsDump);
        }
        job.cancel().get(60, TimeUnit.SECONDS);
        return 0;
    }

    private void listenForFinish() {
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals(FINISH)) {
                    // only "finish" means anything
                }
            } catch (Exception e) {
                // stdin gone: the harness died, so finish too
            }
            finishRequested = true;
        }, "bench-stdin");
        t.setDaemon(true);
        t.start();
    }

    private void emit(JobStatus status, long started, boolean last) {
        ObjectNode s = JSON.createObjectNode();
        s.put("t", System.currentTimeMillis());
        s.put("started", started);
        s.put("last", last);
        s.put("status", status.name());
        ObjectNode counters = s.putObject("counters");
        for (String name : new String[] {PassthroughJob.COUNTER, "recordsBilled", "rollupRowsFlushed",
            "balanceRowsFlushed", "cutoffs", "restores", "duplicatesDropped", "alertsRaised"}) {
            counters.put(name, Math.max(0, BenchMetricsReporter.sum(name)));
        }
        ObjectNode checkpoints = s.putObject("checkpoints");
        for (String name : new String[] {"numberOfCompletedCheckpoints", "numberOfFailedCheckpoints",
            "lastCompletedCheckpointId", "lastCheckpointDuration", "lastCheckpointSize", "lastCheckpointFullSize",
            "numRestarts"}) {
            checkpoints.put(name, BenchMetricsReporter.sum(name));
        }
        ObjectNode rocksdb = s.putObject("rocksdb");
        // RocksDB answers size questions under its DB mutex: ask every 5 s, not every sample
        if (last || ++samples % ROCKSDB_EVERY == 0) {
            BenchMetricsReporter.rocksdb().forEach(rocksdb::put);
        }
        ObjectNode memory = s.putObject("memory");
        memory.put("heapUsed", ProcessMemory.heapUsed());
        memory.put("heapAfterGc", ProcessMemory.heapAfterLastGc());
        memory.put("heapMax", ProcessMemory.heapMax());
        memory.put("rss", ProcessMemory.procStatusBytes("VmRSS"));
        memory.put("rssPeak", ProcessMemory.procStatusBytes("VmHWM"));
        s.put("cpuNanos", ProcessCpu.nanos());
        try {
            System.out.println(LINE_PREFIX + JSON.writeValueAsString(s));
            System.out.flush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
