package dev.billing.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Several repetitions of one figure: their median, the lowest and the highest. On a shared machine
 * one repetition says little; the median of interleaved repetitions and how far they spread do.
 */
public record Spread(double median, double min, double max, int n) {

    public static Spread of(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values.stream().filter(v -> !Double.isNaN(v)).sorted().toList());
        if (sorted.isEmpty()) {
            return new Spread(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Spread(median, sorted.get(0), sorted.get(n - 1), n);
    }

    /** The largest distance of a repetition from the median, as a share of the median (0.08 is ±8 %). */
    public double halfWidth() {
        return n == 0 ? Double.NaN : Math.max(median - min, max - median) / median;
    }

    /** "{median} (min .. max, ±x %, n runs)" with {@code format} for each value, e.g. "%,.0f". */
    public String describe(String format) {
        if (n <= 1) {
            return String.format(format, median);
        }
        return String.format(format + " (%s .. %s, ±%.0f %%, %d runs)", median, String.format(format, min),
                String.format(format, max), halfWidth() * 100, n);
    }
}
