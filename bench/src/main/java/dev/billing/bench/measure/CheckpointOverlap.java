package dev.billing.bench.measure;

import dev.billing.bench.process.Sample;
import dev.billing.bench.report.BenchResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Whether the slow cutoffs are the checkpoints' doing: each completed checkpoint is placed at
 * [completion - duration, completion], the completion known to within one sampling period, and the
 * slowest 1 % of the cutoffs are checked for overlap with one. If checkpoints ran x % of the time,
 * about x % of the slow cutoffs would overlap one by chance.
 */
public record CheckpointOverlap(int slowest, int overlapping, double checkpointShare) {

    public static CheckpointOverlap of(List<Sample> samples, List<long[]> cutoffs) {
        List<long[]> windows = new ArrayList<>();
        long lastId = Long.MIN_VALUE;
        for (Sample x : samples) {
            long id = x.checkpoint("lastCompletedCheckpointId");
            if (lastId != Long.MIN_VALUE && id > lastId) {
                windows.add(new long[] {x.t() - Math.max(0, x.checkpoint("lastCheckpointDuration")), x.t()});
            }
            lastId = id;
        }
        long span = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).t() - samples.get(0).t();
        double share = span <= 0 ? Double.NaN : windows.stream().mapToLong(w -> w[1] - w[0]).sum() / (double) span;
        List<long[]> slowest = cutoffs.stream()
                .sorted(Comparator.comparingLong((long[] c) -> c[1] - c[0]).reversed())
                .limit(Math.max(1, cutoffs.size() / 100)).toList();
        int overlapping = (int) slowest.stream()
                .filter(c -> windows.stream().anyMatch(w -> c[0] <= w[1] && w[0] <= c[1])).count();
        return new CheckpointOverlap(cutoffs.isEmpty() ? 0 : slowest.size(), overlapping, share);
    }

    public void fill(BenchResult.Steady st) {
        st.slowestCutoffs = slowest;
        st.slowestDuringCheckpoint = overlapping;
        st.checkpointTimeShare = checkpointShare;
    }
}
