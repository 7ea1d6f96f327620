package dev.billing.bench.process;

import java.util.function.Consumer;

/** Prints a job's progress every two seconds: records so far, the rate since the last line, checkpoints. */
public final class RateProgress implements Consumer<Sample> {
    private static final long EVERY_MS = 2_000;

    private final String job;
    private final String counter;
    private final long total;
    private final Consumer<String> out;
    private Sample previous;

    public RateProgress(String job, String counter, long total, Consumer<String> out) {
        this.job = job;
        this.counter = counter;
        this.total = total;
        this.out = out;
    }

    @Override
    public void accept(Sample s) {
        if (previous == null) {
            previous = s;
            return;
        }
        if (s.t() - previous.t() < EVERY_MS) {
            return;
        }
        double rate = (s.counter(counter) - previous.counter(counter)) * 1000.0 / (s.t() - previous.t());
        out.accept(String.format("  %s: %,d / %,d records, %,.0f records/s now; %d checkpoints; heap %d MB, RSS %d MB",
                job, s.counter(counter), total, rate, Math.max(0, s.checkpoint("numberOfCompletedCheckpoints")),
                s.memory("heapUsed") >> 20, s.memory("rss") >> 20));
        previous = s;
    }
}
