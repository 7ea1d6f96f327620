package dev.billing.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class InputOrderTest {
    /** Collects the watermarks a generator emits. */
    private static final class Emitted implements WatermarkOutput {
        final List<Long> marks = new ArrayList<>();

        @Override
        public void emitWatermark(Watermark watermark) {
            marks.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

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
        assertThat(options("--billing-window", "30d", "--input-max-drift", "8d").inputOrder()).isNotNull();
    }

    private static JobOptions options(String... args) {
        JobOptions options = new JobOptions();
        new CommandLine(options).parseArgs(args);
        return options;
    }
}
