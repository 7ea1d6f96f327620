package dev.billing.bench.report;

import dev.billing.bench.jmh.JmhRunner;
import java.util.ArrayList;
import java.util.List;

/** The short table printed at the end, in Markdown so it can go into a README as it is. */
public final class SummaryTable {
    private SummaryTable() {}

    /** Straight to stdout, without the console's time prefix, so the table can be copied as it is. */
    public static void print(BenchResult r) {
        for (String line : lines(r)) {
            System.out.println(line);
        }
        System.out.flush();
    }

    /** The figures as {label, value} rows. */
    public static List<String[]> rows(BenchResult r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row("passthrough Kafka->Kafka (ceiling)", String.format("%s records/s; cores busy: %s",
                r.passthrough.spread().describe("%,.0f"), cores(r.passthrough))));
        if (!r.keyedPassthrough.repetitions.isEmpty()) {
            rows.add(row("keyed passthrough (+ keyBy on the account)", String.format(
                    "%s records/s; cores busy: %s; %.2f of the passthrough; billing is %.2f of it",
                    r.keyedPassthrough.spread().describe("%,.0f"), cores(r.keyedPassthrough),
                    r.keyedPassthrough.recordsPerSecond / r.passthrough.recordsPerSecond,
                    r.billing.recordsPerSecond / r.keyedPassthrough.recordsPerSecond)));
        }
        rows.add(row("billing job", String.format("%s records/s; cores busy: %s",
                r.billing.spread().describe("%,.0f"), cores(r.billing))));
        rows.add(row("billing / passthrough", r.ratio().describe("%.2f") + " (each billing run against the passthrough"
                + " just before it)"));
        latencyRows(rows, r.fixedRate);
        latencyRows(rows, r.steady);
        if (r.admission.requestsEach > 0) {
            BenchResult.Admission a = r.admission;
            rows.add(row("gateway admission adds (p50 / p99)", String.format("%.2f / %.2f ms (with the door %.2f / %.2f,"
                    + " without %.2f / %.2f; %,d requests each, alternately)", a.doorP50Ms - a.bareP50Ms,
                    a.doorP99Ms - a.bareP99Ms, a.doorP50Ms, a.doorP99Ms, a.bareP50Ms, a.bareP99Ms, a.requestsEach)));
        }
        rows.add(row("PostgreSQL rows at full speed", String.format("%,.0f rows/s, %.2f per record", r.postgresRowsPerSecond,
                r.postgresRowsPerRecord)));
        BenchResult.Steady st = r.steady;
        rows.add(row("PostgreSQL rows at " + st.label, String.format("%,.0f rows/s for %,.0f records/s; %,.0f keys changed/s",
                st.postgresRowsPerSecond, st.recordsPerSecond, st.changedKeysPerSecond)));
        rows.add(row("state per account", String.format("%.0f B (full checkpoint %,.1f MB / %,d accounts); idle account %.0f B",
                r.stateBytesPerAccount, r.stateFullCheckpointBytes / 1e6, r.accountsInState, r.idleAccountStateBytes)));
        rows.add(row("checkpoints (billing)", checkpoints(r.billing.checkpoints)));
        rows.add(row("billing job JVM", String.format("peak RSS %,d MB; heap limit %,d MB, peak after GC %,d MB; %d restarts",
                r.billing.rssPeakBytes >> 20, r.billing.heapMaxBytes >> 20, r.billing.heapAfterGcMaxBytes >> 20,
                r.billing.restarts)));
        rows.add(row("passthrough JVM", String.format("peak RSS %,d MB", r.passthrough.rssPeakBytes >> 20)));
        for (var e : r.jmh.entrySet()) {
            JmhRunner.Score score = e.getValue();
            rows.add(row("JMH " + e.getKey(), String.format("%,.0f ± %,.0f records/s per core", score.perSecond(), score.error())));
        }
        return rows;
    }

    private static void latencyRows(List<String[]> rows, BenchResult.Steady st) {
        if (!st.ran()) {
            return;
        }
        rows.add(row("cutoff latency at " + st.label + " p50 / p99 / max", String.format(
                "%.0f / %.0f / %.0f ms (%,d cutoffs at %,.0f records/s%s); p99 of the windows %s", st.p50Ms, st.p99Ms,
                st.maxMs, st.cutoffsSeen, st.recordsPerSecond, st.cutoffsMissing == 0 ? "" : ", " + st.cutoffsMissing
                        + " missing", Spread.of(st.windowP99Ms).describe("%,.0f ms"))));
        rows.add(row("  slowest 1 %, job", String.format("%d of %d in flight while a checkpoint ran (checkpoints ran %.0f %%"
                        + " of the phase); billed %,.0f/s (%s, every window billed %,.0f ms after its load at most);"
                        + " cores busy: %s", st.slowestDuringCheckpoint, st.slowestCutoffs, st.checkpointTimeShare * 100,
                st.billedPerSecond, st.keptUp ? "kept up" : "fell behind", Spread.of(st.drainMs).max(),
                cores(st.jobCores, st.harnessCores, st.postgresCores, st.machineCores))));
    }

    private static String cores(BenchResult.JobRun run) {
        return cores(run.jobCores, run.harnessCores, run.postgresCores, run.machineCores);
    }

    /** Where the busy cores went: the job's JVM, the harness's (broker, load generator, probe), PostgreSQL, all. */
    public static String cores(double job, double harness, double postgres, double machine) {
        return String.format("job %.2f, harness %.2f, PostgreSQL %.2f; machine %.2f", job, harness, postgres, machine);
    }

    static String checkpoints(List<BenchResult.Checkpoint> cps) {
        if (cps.isEmpty()) {
            return "none completed";
        }
        long maxDuration = cps.stream().mapToLong(BenchResult.Checkpoint::durationMs).max().orElse(0);
        long maxSize = cps.stream().mapToLong(BenchResult.Checkpoint::sizeBytes).max().orElse(0);
        long lastFull = cps.get(cps.size() - 1).fullSizeBytes();
        double meanDuration = cps.stream().mapToLong(BenchResult.Checkpoint::durationMs).average().orElse(0);
        return String.format("%d completed; duration mean %,.0f ms, max %,d ms; largest increment %,.1f MB; last full size %,.1f MB",
                cps.size(), meanDuration, maxDuration, maxSize / 1e6, lastFull / 1e6);
    }

    public static List<String> lines(BenchResult r) {
        List<String> out = new ArrayList<>();
        out.add("| figure | value |");
        out.add("| --- | --- |");
        for (String[] row : rows(r)) {
            out.add("| " + row[0] + " | " + row[1] + " |");
        }
        out.add("");
        out.add("| target | goal | measured | met |");
        out.add("| --- | --- | --- | --- |");
        for (BenchResult.Target t : r.targets) {
            out.add("| " + t.name() + " | " + t.goal() + " | " + t.measured() + " | "
                    + (t.met() ? "yes" : "**no**" + (t.note().isEmpty() ? "" : ": " + t.note())) + " |");
        }
        return out;
    }

    private static String[] row(String label, String value) {
        return new String[] {label, value};
    }
}
