package dev.billing.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The parameters of one benchmark run, with the quick or full defaults filled in. */
public record BenchSettings(
        boolean quick,
        long records,
        int accounts,
        double skew,
        int partitions,
        int parallelism,
        Duration checkpointInterval,
        String jobHeap,
        int cutoffs,
        Duration cutoffPhase,
        /** Records/s of the latency phase; null for half the billing job's measured rate. */
        Double cutoffRate,
        /** Records/s of the second latency phase, at a fixed load; 0 skips it. */
        double fixedRate,
        /** Interleaved repetitions of the passthrough and billing runs; the latency phases are cut in as many windows. */
        int repeat,
        long seed,
        boolean jmh,
        /** Also run the passthrough with a keyBy on the account: the shuffle's share of the gap. */
        boolean keyedPassthrough,
        boolean profile,
        Map<String, String> flinkConf,
        /** Kafka client properties for both jobs' consumers and producers. */
        Map<String, String> kafkaProperties,
        Path output,
        Path workDir,
        boolean keepWork,
        double timeoutFactor) {

    public String mode() {
        return quick ? "quick" : "full";
    }

    /** A generous limit for a run over {@code records}: even at 1,000 records/s it would end. */
    public Duration timeoutFor(long records) {
        return Duration.ofSeconds((long) ((120 + records / 1_000) * timeoutFactor));
    }
}
