package dev.billing.bench.measure;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a job's CPU went, from the execution samples of its Java Flight Recording: by thread
 * (Flink names a task's thread after its chained operators, so this is per task), by library, and
 * by method (self time). A sample in JDK code (a TreeMap, reflection, BigInteger) is charged to the
 * library that called it, found by walking down the stack to the first frame outside the JDK: a
 * TreeMap.put under Flink's RocksDB timer queue is timer cost, not "JDK". Native-method samples
 * of busy calls (RocksDB's JNI) count too; threads waiting in I/O or parked do not.
 */
public final class JfrProfile {
    /** Library buckets by package prefix, first match wins. */
    private static final String[][] BUCKETS = {
        {"org.apache.flink.state.rocksdb.TreeOrderedSetCache", "Flink timers (RocksDB priority queue)"},
        {"org.apache.flink.state.rocksdb.RocksDBCachingPriorityQueueSet", "Flink timers (RocksDB priority queue)"},
        {"org.apache.flink.streaming.api.operators.InternalTimer", "Flink timers (RocksDB priority queue)"},
        {"com.fasterxml.jackson", "Jackson (JSON)"},
        {"org.rocksdb", "RocksDB (JNI)"},
        {"org.apache.flink.state.rocksdb", "Flink RocksDB state"},
        {"org.apache.flink.contrib.streaming.state", "Flink RocksDB state"},
        {"org.apache.flink.api.common.typeutils", "Flink serializers"},
        {"org.apache.flink.api.java.typeutils", "Flink serializers"},
        {"org.apache.flink.runtime.io.network", "Flink network stack"},
        {"org.apache.flink.runtime.io", "Flink network stack"},
        {"org.apache.flink.streaming.runtime.io", "Flink network stack"},
        {"org.apache.flink.streaming.runtime.tasks.CopyingChainingOutput", "Flink record copies between chained operators"},
        {"org.apache.flink.connector.kafka", "Kafka connector"},
        {"org.apache.kafka", "Kafka client"},
        {"kafka.", "Kafka client"},
        {"org.postgresql", "PostgreSQL JDBC"},
        {"dev.billing.output.PostgresUpsert", "PostgreSQL JDBC"},
        {"java.math", "BigDecimal (java.math)"},
        {"dev.billing.bench", "benchmark harness"},
        {"java.time", "java.time (timestamps)"},
        {"java.util.regex", "regex"},
        {"dev.billing", "billing job code"},
        {"org.apache.flink", "Flink runtime (other)"},
        {"sun.nio", "JDK I/O"},
        {"java.nio", "JDK I/O"},
        {"java.io", "JDK I/O"},
        {"java.lang.String", "strings"},
        {"java.lang.StringBuilder", "strings"},
        {"java.lang.AbstractStringBuilder", "strings"},
        {"java.util.zip", "checksums/compression"},
        {"java.", "JDK (other)"},
        {"jdk.", "JDK (other)"},
    };

    public record Share(String name, long samples, double percent) {}

    /**
     * Activities by a frame anywhere on the stack (inclusive: a sample counts for each activity it is
     * under), so the cost of, say, writing to PostgreSQL includes the JDK and socket code below it.
     */
    private static final String[][] ACTIVITIES = {
        {"AccountLedger.", "billing ledger, all it calls (state, sinks chained to it)"},
        {"org.postgresql.", "PostgreSQL JDBC writes"},
        {"PojoSerializer.", "POJO serializer (state reads and writes, record copies)"},
        {"RocksDBCachingPriorityQueueSet.", "timer registration (RocksDB timer queue)"},
        // the copy itself; CopyingChainingOutput is also on the stack of all the work downstream of it
        {"PojoSerializer.copy", "record copies between chained operators (object reuse off)"},
        {"UsageRecordParser.", "usage record parsing and validation"},
        {"DupDetector.", "JSON duplicate-key detection"},
        {"java.math.", "BigDecimal arithmetic and conversions"},
        {"org.apache.kafka.", "Kafka clients"},
    };

    public record Profile(long samples, List<Share> byThread, List<Share> byLibrary, List<Share> topMethods,
            List<Share> byActivity) {}

    private JfrProfile() {}

    /** Summarizes a recording: {@code java -cp <bin/billing's classpath> dev.billing.bench.measure.JfrProfile billing.jfr}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: JfrProfile <recording.jfr>");
            System.exit(2);
        }
        Profile p = read(Path.of(args[0]), 15);
        System.out.println(p.samples() + " CPU samples");
        Map<String, List<Share>> sections = new LinkedHashMap<>();
        sections.put("by thread", p.byThread());
        sections.put("by activity (inclusive)", p.byActivity());
        sections.put("by library (JDK code charged to its caller)", p.byLibrary());
        sections.put("top methods (self)", p.topMethods());
        for (var section : sections.entrySet()) {
            System.out.println(section.getKey() + ":");
            section.getValue().forEach(s -> System.out.printf("  %5.1f %%  %s%n", s.percent(), s.name()));
        }
    }

    public static Profile read(Path recording, int top) throws IOException {
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> libraries = new HashMap<>();
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> activities = new LinkedHashMap<>();
        long total = 0;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                String type = e.getEventType().getName();
                if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                    continue;
                }
                RecordedStackTrace stack = e.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                if (type.equals("jdk.NativeMethodSample") && !isBusyNative(stack)) {
                    continue; // a thread parked in poll/epoll/accept is waiting, not working
                }
                total++;
                RecordedFrame frame = stack.getFrames().get(0);
                String className = frame.getMethod().getType().getName();
                String method = className + "." + frame.getMethod().getName();
                methods.merge(method, 1L, Long::sum);
                libraries.merge(bucket(callerOutsideJdk(stack)), 1L, Long::sum);
                for (String activity : activitiesOf(stack)) {
                    activities.merge(activity, 1L, Long::sum);
                }
                String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
                threads.merge(threadGroup(thread), 1L, Long::sum);
            }
        }
        return new Profile(total, top(threads, total, top), top(libraries, total, top), top(methods, total, top),
                top(activities, total, ACTIVITIES.length));
    }

    /** Native samples of threads blocked in I/O waits are idle time, not cost. */
    private static boolean isBusyNative(RecordedStackTrace stack) {
        String m = stack.getFrames().get(0).getMethod().getName();
        return !(m.contains("poll") || m.contains("epoll") || m.contains("accept") || m.contains("park")
                || m.equals("read0") || m.equals("read") || m.equals("readBytes") || m.equals("socketRead0") || m.equals("wait") || m.equals("sleep"));
    }

    private static java.util.Set<String> activitiesOf(RecordedStackTrace stack) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (RecordedFrame f : stack.getFrames()) {
            String m = f.getMethod().getType().getName() + "." + f.getMethod().getName();
            for (String[] a : ACTIVITIES) {
                if (m.contains(a[0])) {
                    out.add(a[1]);
                }
            }
        }
        return out;
    }

    /** The class of the first frame outside the JDK, or the top frame's when the stack is all JDK. */
    static String callerOutsideJdk(RecordedStackTrace stack) {
        for (RecordedFrame f : stack.getFrames()) {
            String c = f.getMethod().getType().getName();
            if (!(c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.") || c.startsWith("javax."))) {
                return c;
            }
        }
        return stack.getFrames().get(0).getMethod().getType().getName();
    }

    static String bucket(String className) {
        for (String[] b : BUCKETS) {
            if (className.startsWith(b[0])) {
                return b[1];
            }
        }
        return "other";
    }

    /** "account ledger -> ... (1/2)#0" and "(2/2)#0" are one task; drop the subtask suffix. */
    static String threadGroup(String thread) {
        String t = thread.replaceAll(" \\(\\d+/\\d+\\)#\\d+$", "").replaceAll("-\\d+$", "");
        return t.length() > 90 ? t.substring(0, 90) + "..." : t;
    }

    private static List<Share> top(Map<String, Long> counts, long total, int n) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        Map<String, Long> kept = new LinkedHashMap<>();
        entries.stream().limit(n).forEach(e -> kept.put(e.getKey(), e.getValue()));
        return kept.entrySet().stream()
                .map(e -> new Share(e.getKey(), e.getValue(), total == 0 ? 0 : 100.0 * e.getValue() / total))
                .toList();
    }
}
