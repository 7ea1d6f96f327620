package dev.billing.bench.process;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory of this JVM: resident set from /proc (heap, RocksDB and network buffers alike) and heap after GC. */
public final class ProcessMemory {
    private ProcessMemory() {}

    /** A field of /proc/self/status in bytes (VmHWM is the peak resident set), or -1 off Linux. */
    public static long procStatusBytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no figure rather than a wrong one
        }
        return -1;
    }

    /**
     * Heap in use right after the last collection, summed over the heap pools: what the live
     * state needs, as opposed to the garbage a busy job carries between collections.
     */
    public static long heapAfterLastGc() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                MemoryUsage after = pool.getCollectionUsage();
                if (after != null) {
                    sum += after.getUsed();
                }
            }
        }
        return sum;
    }

    public static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static long heapMax() {
        return Runtime.getRuntime().maxMemory();
    }
}
