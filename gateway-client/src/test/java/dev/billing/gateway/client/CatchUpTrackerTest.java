package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class CatchUpTrackerTest {
    private static final TopicPartition P0 = new TopicPartition("account-status", 0);
    private static final TopicPartition P1 = new TopicPartition("account-status", 1);

    private final CatchUpTracker tracker = new CatchUpTracker();

    @Test
    void confirmsAsOfTheTimeTheEndOffsetsWereAskedForOnceEveryPartitionReachesThem() {
        tracker.expect(Map.of(P0, 100L, P1, 50L), 1_000);

        assertThat(tracker.reached(Map.of(P0, 100L, P1, 49L))).isFalse();
        assertThat(tracker.confirmed()).isFalse();
        assertThat(tracker.behindTarget(Map.of(P0, 90L, P1, 49L))).isEqualTo(11);

        assertThat(tracker.reached(Map.of(P0, 100L, P1, 50L))).isTrue();
        assertThat(tracker.confirmed()).isTrue();
        assertThat(tracker.confirmedAtNanos()).isEqualTo(1_000);
        assertThat(tracker.pending()).isFalse();
    }

    @Test
    void anAskAnsweredLaterConfirmsOnlyWhatWasAppendedBeforeTheAsk() {
        tracker.expect(Map.of(P0, 10L), 1_000);
        tracker.reached(Map.of(P0, 10L));
        tracker.expect(Map.of(P0, 20L), 5_000);

        assertThat(tracker.reached(Map.of(P0, 15L))).isFalse();
        assertThat(tracker.confirmedAtNanos()).as("still the older confirmation").isEqualTo(1_000);
        assertThat(tracker.reached(Map.of(P0, 25L))).isTrue();
        assertThat(tracker.confirmedAtNanos()).isEqualTo(5_000);
    }

    @Test
    void aPartitionWithoutAPositionIsNotReached() {
        tracker.expect(Map.of(P0, 0L, P1, 0L), 1);

        assertThat(tracker.reached(Map.of(P0, 0L))).isFalse();
        assertThat(tracker.reached(Map.of(P0, 0L, P1, 0L))).as("empty partitions are reached at once").isTrue();
    }

    @Test
    void withoutATargetNothingIsConfirmed() {
        assertThat(tracker.reached(Map.of(P0, 1_000L))).isFalse();
        tracker.expect(Map.of(P0, 5L), 7);
        tracker.clearTarget();
        assertThat(tracker.reached(Map.of(P0, 5L))).isFalse();
        assertThat(tracker.behindTarget(Map.of(P0, 0L))).isZero();
    }
}
