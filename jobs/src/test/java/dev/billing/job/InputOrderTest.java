package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.billing.model.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InputOrderTest {
    /** Collects the watermarks a generator emits. */
    private static final class Emitted implements WatermarkOutput {
        final List<Long> marks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            marks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {}
    }

    @Test
    void theWatermarkLeavesAtOnceWhenItMovedAStepAndAtThePeriodicEmitOtherwise() {
        InputOrder.Stepped generator = new InputOrder.Stepped(100);
        Emitted out = new Emitted();
        generator.onEvent(null, 1_000, out);
        assertThat(out.marks).as("the first time at once").containsExactly(1_000L);
        generator.onEvent(null, 1_050, out);
        generator.onEvent(null, 900, out);
        assertThat(out.marks).as("less than a step, and an older record: nothing yet").containsExactly(1_000L);
        generator.onEvent(null, 1_100, out);
        assertThat(out.marks).as("a step: at once, so an aligned source stops within a step").containsExactly(1_000L, 1_100L);
        generator.onEvent(null, 1_130, out);
        generator.onPeriodicEmit(out);
        generator.onPeriodicEmit(out);
        assertThat(out.marks).as("the periodic emit brings the rest, once").containsExactly(1_000L, 1_100L, 1_130L);
    }

    /** What Flink gives a generator of one source subtask: its input's activity clock. */
    private static WatermarkGeneratorSupplier.Context context(ManualClock clock) {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }

    private static InputOrder.PerSubtask subtaskGenerators() {
        return new InputOrder.PerSubtask(100, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    /** Flink's periodic emits, every 200 ms of the input's activity clock, for {@code span}. */
    private static void periodicEmits(WatermarkGenerator<SourceRecord> generator, WatermarkOutput out, ManualClock clock,
            Duration span) {
        for (long ms = 0; ms < span.toMillis(); ms += 200) {
            clock.advanceTime(Duration.ofMillis(200));
            generator.onPeriodicEmit(out);
        }
    }

    @Test
    void aSubtaskWaitingForItsPartitionsIsNotIdleUntilTheStartTimeout() {
        ManualClock clock = new ManualClock();
        WatermarkGenerator<SourceRecord> main = subtaskGenerators().createWatermarkGenerator(context(clock));
        Emitted out = new Emitted();
        periodicEmits(main, out, clock, Duration.ofSeconds(9));
        assertThat(out.idle).as("waiting for partitions, well past the idle timeout: not started, not idle").isFalse();
        assertThat(out.marks).isEmpty();
        periodicEmits(main, out, clock, Duration.ofSeconds(1));
        assertThat(out.idle).as("no partition within the start timeout (more subtasks than partitions)").isTrue();
    }

    @Test
    void onceAPartitionIsAssignedThePartitionsAloneJudgeIdleness() {
        ManualClock clock = new ManualClock();
        ManualClock partitionClock = new ManualClock();
        InputOrder.PerSubtask generators = subtaskGenerators();
        WatermarkGenerator<SourceRecord> main = generators.createWatermarkGenerator(context(clock));
        WatermarkGenerator<SourceRecord> partition = generators.createWatermarkGenerator(context(partitionClock));
        Emitted mainOut = new Emitted();
        Emitted partitionOut = new Emitted();
        periodicEmits(main, mainOut, clock, Duration.ofMinutes(5));
        assertThat(mainOut.idle).as("the main output never carries a Kafka record: it stays silent").isFalse();
        assertThat(mainOut.marks).isEmpty();
        periodicEmits(partition, partitionOut, partitionClock, Duration.ofSeconds(9));
        assertThat(partitionOut.idle).as("read nothing yet since the start: its first fetch may be slow").isFalse();
        periodicEmits(partition, partitionOut, partitionClock, Duration.ofSeconds(1));
        assertThat(partitionOut.idle).as("a partition with nothing to read is idle after the start timeout").isTrue();
    }

    @Test
    void aPartitionIsIdleAfterTheIdleTimeoutWithNothingNew() {
        ManualClock clock = new ManualClock();
        InputOrder.PerSubtask generators = subtaskGenerators();
        generators.createWatermarkGenerator(context(clock));
        WatermarkGenerator<SourceRecord> partition = generators.createWatermarkGenerator(context(clock));
        Emitted out = new Emitted();
        partition.onEvent(null, 1_000, out);
        periodicEmits(partition, out, clock, Duration.ofMillis(1_800));
        assertThat(out.idle).isFalse();
        assertThat(out.marks).containsExactly(1_000L);
        periodicEmits(partition, out, clock, Duration.ofSeconds(1));
        assertThat(out.idle).isTrue();
    }

    @Test
    void aReplayPlacesALateRecordWhereItCameInAmongNewerOnes() {
        InputOrder.NewestSoFar order = new InputOrder.NewestSoFar(dev.billing.ingest.InputTime.ofUsage());
        assertThat(order.extractTimestamp(usage(0, "2026-11-10T10:00:00Z"), 0)).isEqualTo(at("2026-11-10T10:00:00Z"));
        assertThat(order.extractTimestamp(usage(0, "2026-11-01T00:00:00Z"), 0))
                .as("sent long after newer ones: where it came in").isEqualTo(at("2026-11-10T10:00:00Z"));
        assertThat(order.extractTimestamp(usage(1, "2026-11-01T00:00:00Z"), 0)).as("another partition")
                .isEqualTo(at("2026-11-01T00:00:00Z"));
        assertThat(order.extractTimestamp(new dev.billing.model.SourceRecord("usage-records", 1, 9, NOW, null,
                "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0)).as("no time: its partition's")
                .isEqualTo(at("2026-11-01T00:00:00Z"));
        assertThat(order.extractTimestamp(usage(0, "2026-11-10T11:00:00Z"), 0)).isEqualTo(at("2026-11-10T11:00:00Z"));
    }

    private static final long NOW = at("2026-12-01T00:00:00Z");

    private static long at(String instant) {
        return java.time.Instant.parse(instant).toEpochMilli();
    }

    private static dev.billing.model.SourceRecord usage(int partition, String completedAt) {
        return new dev.billing.model.SourceRecord("usage-records", partition, 0, NOW, null,
                ("{\"completed_at\":\"" + completedAt + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aDriftOrIdleTimeoutThatDefeatsTheOrderIsRefused() {
        assertThat(options().inputOrder()).isNotNull();
        assertThatThrownBy(() -> options("--input-max-drift", "7d").inputOrder())
                .hasMessageContaining("--input-max-drift").hasMessageContaining("below --billing-window (168h)");
        assertThatThrownBy(() -> options("--input-max-drift", "10s", "--input-idle-timeout", "10s").settings())
                .hasMessageContaining("--input-idle-timeout").hasMessageContaining("stall");
        assertThatThrownBy(() -> options("--input-start-timeout", "0s").settings())
                .hasMessageContaining("--input-start-timeout");
        assertThat(options("--billing-window", "30d", "--input-max-drift", "8d").inputOrder()).isNotNull();
    }

    private static JobOptions options(String... args) {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
