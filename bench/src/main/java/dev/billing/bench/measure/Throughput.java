package dev.billing.bench.measure;

import dev.billing.bench.process.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * The steady-state rate of a run over a pre-loaded topic: the time the counter takes from 30 % to
 * 90 % of the records, so that neither the job's start (operators opening, RocksDB starting, the
 * JIT compiling a fresh JVM's hot path, which takes the first few seconds) nor its drain (the last
 * partition finishing alone) counts.
 */
public final class Throughput {
    public static final double FROM = 0.30;
    public static final double TO = 0.90;

    private Throughput() {}

    /** Records per second between the moments {@code counter} crossed 10 % and 90 % of {@code total}. */
    public static double steadyRate(List<Sample> samples, String counter, long total) {
        double from = crossing(samples, counter, FROM * total);
        double to = crossing(samples, counter, TO * total);
        if (Double.isNaN(from) || Double.isNaN(to) || to <= from) {
            return Double.NaN;
        }
        return (TO - FROM) * total / ((to - from) / 1000.0);
    }

    /** The time (ms) the counter reached {@code value}, interpolated between samples; NaN if never. */
    static double crossing(List<Sample> samples, String counter, double value) {
        Sample before = null;
        for (Sample s : samples) {
            if (s.counter(counter) >= value) {
                if (before == null) {
                    return s.t();
                }
                double c0 = before.counter(counter);
                double c1 = s.counter(counter);
                return before.t() + (s.t() - before.t()) * (value - c0) / (c1 - c0);
            }
            before = s;
        }
        return Double.NaN;
    }

    /** (seconds since {@code originMs}, records/s over the last {@code windowMs}) points, for the chart. */
    public static List<double[]> series(List<Sample> samples, String counter, long originMs, long windowMs) {
        List<double[]> out = new ArrayList<>();
        Sample previous = null;
        for (Sample s : samples) {
            if (previous == null) {
                previous = s;
                continue;
            }
            if (s.t() - previous.t() >= windowMs) {
                double rate = (s.counter(counter) - previous.counter(counter)) * 1000.0 / (s.t() - previous.t());
                out.add(new double[] {(s.t() - originMs) / 1000.0, rate});
                previous = s;
            }
        }
        return out;
    }
}
