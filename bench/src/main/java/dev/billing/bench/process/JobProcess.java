package dev.billing.bench.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The harness's handle on a job running in its own JVM ({@link JobProcessMain}): starts it with
 * the heap limit under test, collects its metric samples, waits for conditions on them, and
 * finishes it.
 */
public final class JobProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Process process;
    private final Path log;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private volatile Sample last;

    private JobProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.reader = new Thread(this::readOutput, "bench-" + name + "-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param heap     the {@code -Xmx} of the job's JVM, e.g. "1g": the TaskManager heap under test
     * @param jfr      where to write a Java Flight Recording of the run, or null for none
     * @param workDir  the job's temp directory (RocksDB's local files land here)
     * @param logDir   where the job's log goes
     * @param env      extra environment variables of the job's JVM
     */
    public static JobProcess start(String name, List<String> args, String heap, Path jfr, Path workDir, Path logDir,
            java.util.Map<String, String> env) {
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            Path log4j = writeLogConfig(logDir);
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx" + heap);
            cmd.addAll(moduleFlags());
            cmd.add("-Djava.io.tmpdir=" + workDir);
            cmd.add("-Dlog4j2.configurationFile=" + log4j.toUri());
            cmd.add("-Dbench.log.file=" + log);
            if (jfr != null) {
                cmd.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile,dumponexit=true");
            }
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(JobProcessMain.class.getName());
            cmd.addAll(args);
            cmd.add("--metrics-dump");
            cmd.add(logDir.resolve(name + "-metrics.txt").toString());
            Files.deleteIfExists(log);
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process p = builder.start();
            return new JobProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the " + name + " job's JVM", e);
        }
    }

    /**
     * The {@code --add-opens}/{@code --add-exports} flags this JVM got from bin/billing (Flink
     * needs them on Java 17); the job's JVM needs the same.
     */
    public static List<String> moduleFlags() {
        List<String> out = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
                out.add(arg);
            }
        }
        return out;
    }

    private static Path writeLogConfig(Path logDir) throws IOException {
        Path file = logDir.resolve("log4j2-job.properties");
        Files.writeString(file, String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:bench.log.file}",
                "appender.file.append = true",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1}: %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
        return file;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer other = Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(JobProcessMain.LINE_PREFIX)) {
                    Sample s = new Sample(JSON.readTree(line.substring(JobProcessMain.LINE_PREFIX.length())),
                            ProcessCpu.nanos(), MachineCpu.busyNanos(), MachineCpu.postgresNanos());
                    samples.add(s);
                    last = s;
                } else {
                    other.write(line + "\n");
                    other.flush();
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    public Sample last() {
        return last;
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * Waits until a sample satisfies {@code condition}, showing each new sample to {@code progress}.
     *
     * @throws IllegalStateException when the job's JVM ends or the time is up, with what to look at
     */
    public Sample await(String what, Predicate<Sample> condition, Duration timeout, Consumer<Sample> progress)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = samples.size();
        while (true) {
            List<Sample> now = samples;
            for (; seen < now.size(); seen++) {
                Sample s = now.get(seen);
                progress.accept(s);
                if (condition.test(s)) {
                    return s;
                }
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("The " + name + " job's JVM exited (code " + process.exitValue()
                        + ") while waiting for " + what + ". Its log: " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + " in the " + name + " job. Its log: " + log + ". A busy machine may need --timeout-factor.");
            }
            Thread.sleep(50); // samples arrive every 200 ms
        }
    }

    /** Asks the job to print its last sample and stop; returns that sample. */
    public Sample finish(Duration timeout) throws InterruptedException {
        try {
            PrintWriter w = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            w.println(JobProcessMain.FINISH);
            w.close();
        } catch (RuntimeException e) {
            // already gone: the last sample we have is the answer
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        reader.join(5_000);
        return last;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
