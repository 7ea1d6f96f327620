package dev.billing.bench.process;

import java.lang.management.ManagementFactory;

/**
 * CPU time this JVM has used, all threads. Two samples give the cores a phase kept busy: on a
 * 2-core machine that shows whether a job was short of CPU, and how much the harness itself (the
 * broker and the load generator live in the harness's JVM) took from it.
 */
public final class ProcessCpu {
    private ProcessCpu() {}

    public static long nanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** Cores kept busy between two readings taken {@code wallMs} apart. */
    public static double cores(long cpuNanosBefore, long cpuNanosAfter, long wallMs) {
        if (cpuNanosBefore < 0 || cpuNanosAfter < 0 || wallMs <= 0) {
            return Double.NaN;
        }
        return (cpuNanosAfter - cpuNanosBefore) / 1e6 / wallMs;
    }
}
