package dev.billing.bench.workload;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws account ranks 0..n-1 with probability proportional to 1/(rank+1)^skew: a few heavy
 * accounts and a long tail, as API usage is. Skew 0 is uniform. The cumulative table costs 8
 * bytes per account (8 MB at a million).
 */
public final class ZipfSampler {
    private final double[] cumulative;

    public ZipfSampler(int n, double skew) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one account");
        }
        cumulative = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, skew);
            cumulative[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cumulative[i] /= sum;
        }
    }

    public int next(SplittableRandom random) {
        int at = Arrays.binarySearch(cumulative, random.nextDouble());
        return Math.min(at >= 0 ? at : -at - 1, cumulative.length - 1);
    }
}
