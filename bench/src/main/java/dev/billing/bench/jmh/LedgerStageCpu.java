package dev.billing.bench.jmh;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link LedgerStageBenchmark#bill} measured by the CPU time of the thread that runs it instead of
 * by the wall clock: records per CPU-second of the ledger's own thread, which other work on a
 * shared machine disturbs far less than a throughput figure (it still excludes RocksDB's
 * background flush and compaction threads and the JIT and GC threads).
 *
 * <p>Runs the ledger with bundles and without (bundle size 1) in one process, one after the other,
 * so the two figures are side by side on the same machine state.
 *
 * <pre>java -cp ... dev.billing.bench.jmh.LedgerStageCpu [records per round] [rounds] [flink conf "k=v;k=v"] [bundle sizes "1000,1"]</pre>
 */
public final class LedgerStageCpu {
    private LedgerStageCpu() {}

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        String conf = args.length > 2 ? args[2] : JmhRunner.ledgerBackendConf(java.util.Map.of());
        String sizes = args.length > 3 ? args[3] : "1000,1";
        for (String size : sizes.split(",")) {
            run(Integer.parseInt(size.trim()), records, rounds, conf);
        }
    }

    private static void run(int bundleSize, int records, int rounds, String conf) throws Exception {
        LedgerStageBenchmark bench = new LedgerStageBenchmark();
        bench.flinkConf = conf;
        bench.bundleSize = bundleSize;
        bench.setUp();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try {
            for (int round = 0; round < rounds; round++) {
                long cpu0 = threads.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    bench.bill();
                }
                double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
                double wall = (System.nanoTime() - wall0) / 1e9;
                bench.dropOutput();
                System.out.printf("bundle %d, round %d%s: %,.0f records per CPU-second of the ledger thread (%,.0f records/s wall)%n",
                        bundleSize, round, round == 0 ? " (warm-up)" : "", records / cpu, records / wall);
            }
        } finally {
            bench.tearDown();
        }
    }
}
