package dev.billing.bench.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/** Runs the JMH benchmarks of this package in a forked JVM and returns their scores. */
public final class JmhRunner {
    /** A score in operations (records) per second, with JMH's 99.9 % error margin. */
    public record Score(double perSecond, double error) {}

    private JmhRunner() {}

    /**
     * RocksDB gets the memory of one slot of the job's local mini-cluster: the 512 MB of managed
     * memory {@code JobConfiguration} gives it, shared by the 2 slots. The harness's own mock
     * TaskManager gives it far less, which made every state read a disk read and the stage ten
     * times slower than in the job. Options from --flink-conf come after, so they win.
     */
    static String ledgerBackendConf(Map<String, String> flinkConf) {
        StringBuilder b = new StringBuilder("state.backend.rocksdb.memory.fixed-per-slot=256mb");
        flinkConf.forEach((k, v) -> b.append(';').append(k).append('=').append(v));
        return b.toString();
    }

    /**
     * Flink's operator test harness (flink-runtime's test jar), which the build copies to
     * target/jmh-lib beside the bench jar; see bench/pom.xml for why it is not a normal dependency.
     */
    static String harnessJars() throws Exception {
        Path location = Path.of(JmhRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path lib = location.getParent().resolve("jmh-lib"); // target/billing-bench-*.jar or target/classes
        List<String> jars = new ArrayList<>();
        if (Files.isDirectory(lib)) {
            try (var files = Files.list(lib)) {
                files.filter(f -> f.toString().endsWith(".jar")).forEach(f -> jars.add(f.toString()));
            }
        }
        if (jars.isEmpty()) {
            throw new IllegalStateException("Flink's operator test harness is missing from " + lib + ": build the bench"
                    + " module with `mvn -pl bench -am package -DskipTests`, or run with --no-jmh.");
        }
        return java.io.File.pathSeparator + String.join(java.io.File.pathSeparator, jars);
    }

    /**
     * @param quick    short warm-up and measurement (about a minute in all) instead of the longer, steadier ones
     * @param jvmFlags extra flags of the forked JVM (Flink's --add-opens, the heap)
     * @param flinkConf the benchmark's --flink-conf options, for the ledger's state backend
     */
    public static Map<String, Score> run(boolean quick, List<String> jvmFlags, Map<String, String> flinkConf,
            Path workDir) throws Exception {
        Files.createDirectories(workDir);
        List<String> flags = new ArrayList<>(jvmFlags);
        flags.add("-Djava.io.tmpdir=" + workDir); // RocksDB of the ledger benchmark
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(HotPathBenchmark.class.getName())
                .include(LedgerStageBenchmark.class.getName())
                .forks(1)
                .threads(1)
                .warmupIterations(quick ? 2 : 3)
                .warmupTime(TimeValue.seconds(quick ? 3 : 5))
                .measurementIterations(quick ? 3 : 5)
                .measurementTime(TimeValue.seconds(quick ? 3 : 5))
                // replaces the flags JMH would copy from this JVM (bin/billing's heap, temp dir)
                .jvmArgs(flags.toArray(String[]::new))
                .param("flinkConf", ledgerBackendConf(flinkConf))
                // JMH's own report is long; the harness prints one line per benchmark instead
                .verbosity(VerboseMode.SILENT);
        // the forked JVM takes this JVM's java.class.path; the harness jars join it there only
        String classPath = System.getProperty("java.class.path");
        Collection<RunResult> results;
        try {
            System.setProperty("java.class.path", classPath + harnessJars());
            results = new Runner(options.build()).run();
        } finally {
            System.setProperty("java.class.path", classPath);
        }
        Map<String, Score> out = new LinkedHashMap<>();
        for (RunResult r : results) {
            String benchmark = r.getParams().getBenchmark();
            String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
            out.put(name, new Score(r.getPrimaryResult().getScore(), r.getPrimaryResult().getScoreError()));
        }
        return out;
    }
}
