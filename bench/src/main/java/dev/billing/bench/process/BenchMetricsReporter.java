package dev.billing.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps a reference to the counters and gauges the benchmark reads, so the child process can read
 * them as often as it likes. Flink's REST metrics are cached for 10 s, too coarse to time a run
 * of a few seconds; a reporter sees the live objects. The metrics of interest are indexed when
 * they are registered, so a sample costs a few map lookups, not a scan of the thousands of Kafka
 * client metrics (a scan every 200 ms took a tenth of a core).
 */
public final class BenchMetricsReporter implements MetricReporter {
    /** Simple metric names the benchmark sums over subtasks. */
    static final Set<String> NAMES = Set.of(PassthroughJob.COUNTER, "recordsBilled", "rollupRowsFlushed",
            "balanceRowsFlushed", "cutoffs", "restores", "duplicatesDropped", "alertsRaised",
            "numberOfCompletedCheckpoints", "numberOfFailedCheckpoints", "lastCompletedCheckpointId",
            "lastCheckpointDuration", "lastCheckpointSize", "lastCheckpointFullSize", "numRestarts");
    static final String ROCKSDB = "rocksdb.";

    /** Simple name -> (identifier -> metric). */
    private static final Map<String, Map<String, Metric>> BY_NAME = new ConcurrentHashMap<>();
    /** RocksDB's native gauges: identifier -> ("<state name>.<property>", gauge). */
    private static final Map<String, Map.Entry<String, Gauge<?>>> ROCKSDB_GAUGES = new ConcurrentHashMap<>();
    /** Every metric's identifier, for the dump at the end of a run. */
    private static final Map<String, Metric> ALL = new ConcurrentHashMap<>();

    /** Configured as {@code metrics.reporter.bench.factory.class}; found through META-INF/services. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetricsReporter();
        }
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        String id = group.getMetricIdentifier(name);
        ALL.put(id, metric);
        if (NAMES.contains(name)) {
            BY_NAME.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).put(id, metric);
        } else if (name.startsWith(ROCKSDB) && metric instanceof Gauge<?> g) {
            // RocksDB registers its per-state gauges in a group named after the state (column family)
            String[] scope = group.getScopeComponents();
            String state = scope.length == 0 ? "?" : scope[scope.length - 1];
            ROCKSDB_GAUGES.put(id, Map.entry(state + "." + name.substring(ROCKSDB.length()), g));
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        String id = group.getMetricIdentifier(name);
        ALL.remove(id, metric);
        Map<String, Metric> named = BY_NAME.get(name);
        if (named != null) {
            named.remove(id, metric);
        }
        ROCKSDB_GAUGES.remove(id);
    }

    /** Sum over subtasks of the counters or numeric gauges called {@code name}; -1 when there is none. */
    public static long sum(String name) {
        Map<String, Metric> named = BY_NAME.get(name);
        if (named == null || named.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (Metric m : named.values()) {
            if (m instanceof Counter c) {
                sum += c.getCount();
            } else if (m instanceof Gauge<?> g && safeValue(g) instanceof Number n) {
                sum += n.longValue();
            }
        }
        return sum;
    }

    /** RocksDB gauges summed over subtasks, keyed {@code <state name>.<property>}. */
    public static Map<String, Long> rocksdb() {
        Map<String, Long> out = new TreeMap<>();
        for (Map.Entry<String, Gauge<?>> e : ROCKSDB_GAUGES.values()) {
            if (safeValue(e.getValue()) instanceof Number n) {
                out.merge(e.getKey(), n.longValue(), Long::sum);
            }
        }
        return out;
    }

    /** Writes every metric identifier with its value, to see what a run reported. */
    public static void dump(Path file) {
        List<String> lines = new ArrayList<>();
        new TreeMap<>(ALL).forEach((id, m) -> lines.add(id + " = "
                + (m instanceof Counter c ? c.getCount() : m instanceof Gauge<?> g ? safeValue(g) : m.getClass().getSimpleName())));
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            // a missing dump is no reason to fail the run
        }
    }

    private static Object safeValue(Gauge<?> g) {
        try {
            return g.getValue();
        } catch (RuntimeException e) {
            return null; // a gauge of a closing RocksDB instance, for example
        }
    }
}
