package dev.billing.job;

import dev.billing.ingest.InputTime;
import dev.billing.model.SourceRecord;
import java.io.Serializable;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Keeps the usage and account-event topics in step in event time, so that a backlog (a rebuild
 * from the earliest records, a catch-up after downtime, one topic lagging the other) reaches the
 * ledger in event-time order across the topics, within a bound: each account's billing window is
 * measured from its newest input, and a topic read ahead would otherwise push the window past
 * the other topic's older inputs (TOO_LATE), or apply purchases and usage in an order that never
 * happened.
 *
 * <p>The mechanism is Flink's watermark alignment: both sources are in one alignment group, and a
 * source subtask whose watermark is more than {@code maxDrift} ahead of the slowest stops reading
 * until the others catch up. A single partition is not paused on its own
 * ({@link SubtaskAlignedSource}: Flink 2.2.1 can leave such a partition paused for good). The
 * watermark is the newest {@link InputTime} read, emitted at once when it has moved a step, so
 * the source stops within a step of the bound instead of one periodic emit later. Live, the
 * topics move together and nothing waits; a
 * partition or a topic with nothing to read is idle after {@code idleTimeout} and holds no one
 * back, so the idle timeout must be below the drift (else a quiet events topic would stall usage).
 *
 * <p>Right after a start or a restore, a partition that has read nothing yet is not idle but not
 * started, for up to {@code startTimeout}: on a busy cluster a source subtask gets its partitions
 * and their first fetch seconds after the other topic's subtasks began to read, and counted idle
 * meanwhile, its backlog would be overtaken. Flink's idleness of a source is its main output's and
 * its partitions' together, and the main output of a Kafka source never carries a record, so
 * {@link PerSubtask} gives the main output a generator that holds the subtask active until its
 * first partition is assigned (each partition then judges its own idleness), or for at most
 * {@code startTimeout} if none ever is (more subtasks than partitions). The price: after a start,
 * a partition with nothing to read holds the other topic back for the start timeout.
 *
 * <p>Alignment alone leaves gaps: a source reads freely until the first alignment announcement
 * reaches it (the whole of a small topic, at a start on a backlog), a source subtask reading
 * several partitions stops only when all of them are ahead, and records a fetch already handed
 * over still come out of a stopped subtask (the aligned sources fetch in small polls to keep that
 * small). What gets through more than the drift ahead of the watermark waits in the
 * ledger until the watermark is within the drift of it ({@code AccountLedger}), so the bound holds:
 * an account's inputs are applied in event-time order up to the drift (and the disorder within a
 * partition); a bundle applies them in that arrival order. An input that is late in event time (an
 * inference node that sent it days late) is still judged by the billing window.
 */
final class InputOrder implements Serializable {
    private static final long serialVersionUID = 1L;
    static final String GROUP = "billing-inputs";
    /**
     * How often the sources report their watermarks and learn how far they may go. A backlog advances at
     * most about the drift per one or two of these (the slowest partition too is paused once it runs a
     * drift past the last announcement): with 1h, a rebuild reads at most 36-72 hours of history a second.
     */
    static final Duration UPDATE_INTERVAL = Duration.ofMillis(50);
    /** Records one poll of an aligned source hands over (Kafka's default is 500): what a pause cannot take back. */
    static final String MAX_POLL_RECORDS = "100";

    private final Duration maxDrift;
    private final Duration idleTimeout;
    private final Duration startTimeout;

    InputOrder(Duration maxDrift, Duration idleTimeout, Duration startTimeout) {
        this.maxDrift = maxDrift;
        this.idleTimeout = idleTimeout;
        this.startTimeout = startTimeout;
    }

    WatermarkStrategy<SourceRecord> strategy(InputTime time) {
        long stepMs = Math.max(1, maxDrift.toMillis() / 8);
        return WatermarkStrategy.<SourceRecord>forGenerator(new PerSubtask(stepMs, idleTimeout, startTimeout))
                .withTimestampAssigner(ctx -> (record, kafkaTimestamp) -> time.of(record))
                .withWatermarkAlignment(GROUP, maxDrift, UPDATE_INTERVAL);
    }

    /**
     * The generators of one source subtask: each deployed subtask deserializes its own copy of the
     * strategy, and Flink creates the main output's generator before any partition's (a partition's
     * output is created when the partition is assigned, after the main output exists).
     */
    static final class PerSubtask implements WatermarkGeneratorSupplier<SourceRecord> {
        private static final long serialVersionUID = 1L;
        private final long stepMs;
        private final Duration idleTimeout;
        private final Duration startTimeout;
        private transient boolean mainCreated;
        /** Set on the task thread, where the main output's generator reads it. */
        private transient boolean partitionAssigned;

        PerSubtask(long stepMs, Duration idleTimeout, Duration startTimeout) {
            this.stepMs = stepMs;
            this.idleTimeout = idleTimeout;
            this.startTimeout = startTimeout;
        }

        @Override
        public WatermarkGenerator<SourceRecord> createWatermarkGenerator(Context context) {
            WatermarkGenerator<SourceRecord> ownRecords =
                    new IdleWhenQuiet(new Stepped(stepMs), idleTimeout, startTimeout, context.getInputActivityClock());
            if (!mainCreated) {
                mainCreated = true;
                return new UntilPartitionAssigned(ownRecords, () -> partitionAssigned);
            }
            partitionAssigned = true;
            return ownRecords;
        }
    }

    /**
     * Idle after {@code idleTimeout} with nothing new, as Flink's {@code WatermarksWithIdleness},
     * but a partition that has read nothing yet since the start is idle only after
     * {@code startTimeout}: its first fetch can take seconds on a busy cluster, and a backlog
     * partition counted idle meanwhile lets the other topic run ahead of it. Time runs on the
     * input's activity clock, which stops while the partition is paused or backpressured.
     */
    static final class IdleWhenQuiet implements WatermarkGenerator<SourceRecord> {
        private final WatermarkGenerator<SourceRecord> watermarks;
        private final long idleTimeoutMs;
        private final long startTimeoutMs;
        private final RelativeClock clock;
        private long records;
        private long recordsAtLastCheck;
        private long quietSinceMs;

        IdleWhenQuiet(WatermarkGenerator<SourceRecord> watermarks, Duration idleTimeout, Duration startTimeout,
                RelativeClock clock) {
            this.watermarks = watermarks;
            this.idleTimeoutMs = idleTimeout.toMillis();
            this.startTimeoutMs = startTimeout.toMillis();
            this.clock = clock;
            this.quietSinceMs = clock.relativeTimeMillis();
        }

        @Override
        public void onEvent(SourceRecord record, long timeMs, WatermarkOutput output) {
            records++; // the clock is read at the periodic emit only, not per record
            watermarks.onEvent(record, timeMs, output);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            long now = clock.relativeTimeMillis();
            if (records != recordsAtLastCheck) {
                recordsAtLastCheck = records;
                quietSinceMs = now;
            }
            if (now - quietSinceMs >= (records == 0 ? startTimeoutMs : idleTimeoutMs)) {
                output.markIdle();
            } else {
                watermarks.onPeriodicEmit(output);
            }
        }
    }

    /**
     * The main output's generator: while the subtask waits for its first partition, not started
     * (active, watermark unknown: the other topic waits for it) and idle after the start timeout;
     * once a partition is assigned, silent for good, leaving idleness to the partitions. A source
     * that emits its records through the main output gets the partitions' rules.
     */
    static final class UntilPartitionAssigned implements WatermarkGenerator<SourceRecord> {
        private final WatermarkGenerator<SourceRecord> ownRecords;
        private final BooleanSupplier partitionAssigned;
        private boolean sawRecord;

        UntilPartitionAssigned(WatermarkGenerator<SourceRecord> ownRecords, BooleanSupplier partitionAssigned) {
            this.ownRecords = ownRecords;
            this.partitionAssigned = partitionAssigned;
        }

        @Override
        public void onEvent(SourceRecord record, long timeMs, WatermarkOutput output) {
            sawRecord = true;
            ownRecords.onEvent(record, timeMs, output);
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (sawRecord || !partitionAssigned.getAsBoolean()) {
                ownRecords.onPeriodicEmit(output);
            }
        }
    }

    /**
     * For a batch replay (reconcile), which hands the ledger each account's records sorted by their
     * timestamps: usage and events stamped where the job meets them, the rate cards ({@code time}
     * null) with their Kafka timestamps. The job reads each partition in order and keeps the topics
     * in step by the newest time read so far ({@link Stepped}); so a record's place is the newest
     * time of its partition up to it: its own time, or, for a record sent long after newer ones, the
     * time it came in among them (where the job judges it late).
     */
    static WatermarkStrategy<SourceRecord> replayOrder(InputTime time) {
        WatermarkStrategy<SourceRecord> none = WatermarkStrategy.noWatermarks();
        return time == null ? none : none.withTimestampAssigner(ctx -> new NewestSoFar(time));
    }

    /** Per partition of a source subtask, the newest event time read up to each record. */
    static final class NewestSoFar implements org.apache.flink.api.common.eventtime.TimestampAssigner<SourceRecord> {
        private final InputTime time;
        private final java.util.Map<Integer, Long> newest = new java.util.HashMap<>();

        NewestSoFar(InputTime time) {
            this.time = time;
        }

        @Override
        public long extractTimestamp(SourceRecord record, long kafkaTimestamp) {
            return newest.merge(record.partition, time.of(record), Math::max);
        }
    }

    /**
     * For an input outside the group (the rate cards): always idle, so that the ledger's event time
     * is the usage and events' alone. Not the end of time as a watermark: when usage and events are
     * both idle, the ledger's watermark would then jump to it and hold nothing back ever after.
     */
    static WatermarkStrategy<SourceRecord> alwaysIdle() {
        return WatermarkStrategy.forGenerator(ctx -> new WatermarkGenerator<SourceRecord>() {
            @Override
            public void onEvent(SourceRecord record, long timeMs, WatermarkOutput output) {}

            @Override
            public void onPeriodicEmit(WatermarkOutput output) {
                output.markIdle();
            }
        });
    }

    /** The newest time read; at once when it moved {@code stepMs} since the last one, else at the periodic emit. */
    static final class Stepped implements WatermarkGenerator<SourceRecord> {
        private final long stepMs;
        private long newest = Long.MIN_VALUE;
        private long emitted = Long.MIN_VALUE;

        Stepped(long stepMs) {
            this.stepMs = stepMs;
        }

        @Override
        public void onEvent(SourceRecord record, long timeMs, WatermarkOutput output) {
            if (timeMs > newest) {
                newest = timeMs;
                if (emitted == Long.MIN_VALUE || newest - emitted >= stepMs) {
                    emit(output);
                }
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (newest > emitted) {
                emit(output);
            }
        }

        private void emit(WatermarkOutput output) {
            output.emitWatermark(new Watermark(newest));
            emitted = newest;
        }
    }
}
