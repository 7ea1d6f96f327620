package dev.billing.bench.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of the whole machine and of the PostgreSQL server, from Linux's {@code /proc}: with the
 * job's and the harness's own CPU they say where every busy core went during a phase. -1 where
 * {@code /proc} is not there.
 */
public final class MachineCpu {
    /** USER_HZ: the unit of {@code /proc} CPU times on every Linux architecture Java runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    private static final Path PROC = Path.of("/proc");

    private MachineCpu() {}

    /** CPU time all cores spent busy (not idle, not waiting for I/O) since boot. */
    public static long busyNanos() {
        try {
            String[] f = Files.readAllLines(PROC.resolve("stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return (total - idle) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time of every running {@code postgres} process (server and backends), user and system. */
    public static long postgresNanos() {
        if (!Files.isDirectory(PROC)) {
            return -1;
        }
        long ticks = 0;
        try (Stream<Path> pids = Files.list(PROC)) {
            for (Path pid : (Iterable<Path>) pids.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))::iterator) {
                ticks += postgresTicks(pid);
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * NANOS_PER_TICK;
    }

    private static long postgresTicks(Path pid) {
        try {
            String stat = Files.readString(pid.resolve("stat"));
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            if (open < 0 || close < open || !stat.substring(open + 1, close).equals("postgres")) {
                return 0;
            }
            // after the command: state(3) ppid(4) ... utime(14) stime(15)
            String[] f = stat.substring(close + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0; // the process ended while it was read
        }
    }
}
