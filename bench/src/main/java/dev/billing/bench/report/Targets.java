package dev.billing.bench.report;

import dev.billing.bench.jmh.JmhRunner;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The performance targets, checked against one run's figures. */
public final class Targets {
    public static final double MIN_RATIO = 0.70;
    public static final double MIN_KEYED_PER_CORE = 100_000;
    public static final double MAX_P99_MS = 200;
    public static final double MAX_P99_FIXED_MS = 100;
    public static final double FIXED_RATE = 2_000;
    /** Every repeated figure within ±10 % of its median. */
    public static final double MAX_HALF_WIDTH = 0.10;
    public static final double MAX_IDLE_ACCOUNT_BYTES = 300;
    public static final int MILLION = 1_000_000;
    /** Flush timers of different accounts fall in different seconds: allow that much over one row per key per second. */
    private static final double KEY_BOUND_TOLERANCE = 1.10;

    private Targets() {}

    public static List<BenchResult.Target> evaluate(BenchResult r) {
        List<BenchResult.Target> t = new ArrayList<>();
        Spread ratio = r.ratio();
        t.add(new BenchResult.Target("throughput", "billing >= 70 % of passthrough",
                String.format("%.0f %% (%,.0f vs %,.0f records/s; ratio %s)", ratio.median() * 100,
                        r.billing.recordsPerSecond, r.passthrough.recordsPerSecond, ratio.describe("%.2f")),
                ratio.median() >= MIN_RATIO,
                ratio.median() >= MIN_RATIO ? "" : String.format("short by %.0f points", (MIN_RATIO - ratio.median()) * 100)));

        JmhRunner.Score keyed = r.jmh.get("LedgerStageBenchmark.bill");
        JmhRunner.Score hot = r.jmh.get("HotPathBenchmark.parsePriceCharge");
        if (keyed != null) {
            boolean met = keyed.perSecond() >= MIN_KEYED_PER_CORE;
            t.add(new BenchResult.Target("keyed stage (JMH)", ">= 100,000 records/s per core",
                    String.format("%,.0f records/s (ledger on RocksDB)%s", keyed.perSecond(),
                            hot == null ? "" : String.format("; parse+price+charge without state %,.0f", hot.perSecond())),
                    met, met ? "" : String.format("short by %.0f %%", 100 * (1 - keyed.perSecond() / MIN_KEYED_PER_CORE))));
        }

        BenchResult.Steady st = r.steady;
        t.add(latency("cutoff latency at half load", "p99 <= 200 ms at half load, 10 s checkpoints", st, MAX_P99_MS,
                "half load".equals(st.label) ? null : "measured at --cutoff-rate, not at half load"));
        if (r.fixedRate.ran()) {
            t.add(latency("cutoff latency at 2,000 records/s", "p99 <= 100 ms at a fixed 2,000 records/s", r.fixedRate,
                    MAX_P99_FIXED_MS, r.fixedRate.targetRecordsPerSecond == FIXED_RATE ? null
                            : "measured at --fixed-rate " + r.fixedRate.targetRecordsPerSecond + ", not 2,000"));
        }
        t.add(repeatable(r));

        boolean pgMet = st.postgresRowsPerSecond <= st.changedKeysPerSecond * KEY_BOUND_TOLERANCE;
        t.add(new BenchResult.Target("PostgreSQL load", "rows/s bounded by changed keys, not records",
                String.format("%,.0f rows/s for %,.0f records/s and %,.0f changed keys/s (half load); %.2f rows per record"
                        + " at full speed", st.postgresRowsPerSecond, st.recordsPerSecond, st.changedKeysPerSecond,
                        r.postgresRowsPerRecord), pgMet,
                pgMet ? "" : String.format("%.0f %% above the changed keys", 100 * (st.postgresRowsPerSecond
                        / st.changedKeysPerSecond - 1))));

        boolean idleMet = r.idleAccountStateBytes <= MAX_IDLE_ACCOUNT_BYTES;
        t.add(new BenchResult.Target("state per idle account", "<= 300 bytes",
                String.format("%.0f bytes idle; %.0f bytes per account with this run's dedupe and rollup entries",
                        r.idleAccountStateBytes, r.stateBytesPerAccount), idleMet,
                idleMet ? "" : String.format("over by %.0f bytes", r.idleAccountStateBytes - MAX_IDLE_ACCOUNT_BYTES)));

        boolean atMillion = r.settings.accounts() >= MILLION;
        boolean heapOk = r.billing.restarts == 0 && "RUNNING".equals(r.billing.finalStatus);
        long heapMb = r.billing.heapMaxBytes >> 20;
        t.add(new BenchResult.Target("1 M accounts in 1 GB heap", "the job holds 1,000,000 accounts with -Xmx1g",
                String.format("%,d accounts, heap limit %,d MB, peak heap after GC %,d MB, peak RSS %,d MB, %d restarts",
                        r.settings.accounts(), heapMb, r.billing.heapAfterGcMaxBytes >> 20, r.billing.rssPeakBytes >> 20,
                        r.billing.restarts), atMillion && heapOk && heapMb <= 1024,
                !atMillion ? "not tested by this run: run the full mode (--accounts 1000000)"
                        : heapOk ? "" : "the job failed or restarted; see its log"));
        return t;
    }

    private static BenchResult.Target latency(String name, String goal, BenchResult.Steady st, double maxP99,
            String notThisTarget) {
        boolean met = notThisTarget == null && st.p99Ms <= maxP99 && st.cutoffsMissing == 0 && st.cutoffsSeen >= 1_000
                && st.keptUp;
        String note = met ? ""
                : notThisTarget != null ? notThisTarget
                : st.cutoffsSeen < 1_000 ? "fewer than 1,000 cutoffs measured"
                : st.cutoffsMissing > 0 ? "some cutoffs never arrived"
                : !st.keptUp ? "the job fell behind the load, so the latency is queueing"
                : String.format("p99 over by %.0f ms", st.p99Ms - maxP99);
        return new BenchResult.Target(name, goal, String.format("p99 %.0f ms (p50 %.0f, max %.0f) over %,d cutoffs at %,.0f"
                        + " records/s, %s%s; p99 of the windows %s", st.p99Ms, st.p50Ms, st.maxMs, st.cutoffsSeen,
                st.recordsPerSecond, st.keptUp ? "kept up" : "fell behind",
                st.cutoffsMissing == 0 ? "" : ", " + st.cutoffsMissing + " never seen",
                Spread.of(st.windowP99Ms).describe("%,.0f ms")), met, note);
    }

    /** Whether each repeated figure stayed within ±10 % of its median. */
    private static BenchResult.Target repeatable(BenchResult r) {
        Map<String, Spread> figures = new LinkedHashMap<>();
        figures.put("passthrough", r.passthrough.spread());
        if (!r.keyedPassthrough.repetitions.isEmpty()) {
            figures.put("keyed passthrough", r.keyedPassthrough.spread());
        }
        figures.put("billing", r.billing.spread());
        figures.put("ratio", r.ratio());
        figures.put("p99 at half load", Spread.of(r.steady.windowP99Ms));
        if (!r.fixedRate.windowP99Ms.isEmpty()) {
            figures.put("p99 at the fixed rate", Spread.of(r.fixedRate.windowP99Ms));
        }
        List<String> measured = new ArrayList<>();
        List<String> wide = new ArrayList<>();
        int runs = Integer.MAX_VALUE;
        for (Map.Entry<String, Spread> f : figures.entrySet()) {
            measured.add(String.format("%s ±%.0f %%", f.getKey(), f.getValue().halfWidth() * 100));
            runs = Math.min(runs, f.getValue().n());
            if (!(f.getValue().halfWidth() <= MAX_HALF_WIDTH)) {
                wide.add(f.getKey());
            }
        }
        if (runs < 3) {
            return new BenchResult.Target("repeatable", "every repeated figure within ±10 % of its median (3 runs or more)",
                    runs + (runs == 1 ? " run" : " runs"), false, "fewer than 3 repetitions (--repeat)");
        }
        boolean met = wide.isEmpty();
        return new BenchResult.Target("repeatable", "every repeated figure within ±10 % of its median (3 runs or more)",
                String.join("; ", measured) + String.format(" (%d runs)", runs), met,
                met ? "" : "wider than ±10 %: " + String.join(", ", wide));
    }
}
