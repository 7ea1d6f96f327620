package dev.billing.gateway.client;

import java.time.Duration;
import java.util.List;

/**
 * A rough measurement of {@link CutoffClient#check}, printed, never asserted: timing assertions
 * fail on busy machines and prove little. Without JMH, so read the figures as an order of
 * magnitude (warmed up, averaged over millions of calls). While it runs, the client's staleness is
 * sampled, which shows how fresh an idle client keeps itself.
 */
final class CheckLatency {
    private static final int WARMUP = 3_000_000;
    private static final int MEASURED = 20_000_000;
    private static final int SAMPLE_EVERY = 1 << 18;

    private final CutoffClient client;
    private long maxStalenessNanos;

    private CheckLatency(CutoffClient client) {
        this.client = client;
    }

    static void report(CutoffClient client, List<String> accounts) {
        CheckLatency measure = new CheckLatency(client);
        String[] ids = accounts.toArray(new String[0]);
        measure.run(ids, WARMUP, false);
        measure.run(ids, WARMUP, true);
        // right after bootstrap the copy is confirmed only as of the bootstrap's start: sample later
        measure.maxStalenessNanos = 0;
        double cached = measure.run(ids, MEASURED, false);
        double fresh = measure.run(ids, MEASURED, true);
        System.out.printf("check(): %.1f ns per call (account id string reused), %.1f ns (new string per call,"
                + " as parsed from a request), over %,d accounts, %s policy%n", cached, fresh, ids.length,
                client.config().failurePolicy());
        System.out.printf("staleness of the idle client, sampled during the measurement: at most %d ms%n",
                Duration.ofNanos(measure.maxStalenessNanos).toMillis());
    }

    private double run(String[] ids, int calls, boolean freshStrings) {
        int allowed = 0;
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            String id = ids[i % ids.length];
            if (freshStrings) {
                id = new String(id.toCharArray()); // its hash code is not cached yet, as for a parsed token
            }
            if (client.check(id).allowed()) {
                allowed++;
            }
            if ((i & (SAMPLE_EVERY - 1)) == 0) {
                maxStalenessNanos = Math.max(maxStalenessNanos, client.staleness().toNanos());
            }
        }
        long elapsed = System.nanoTime() - start;
        if (allowed == -1) {
            System.out.println(); // keeps the loop's result alive
        }
        return (double) elapsed / calls;
    }
}
