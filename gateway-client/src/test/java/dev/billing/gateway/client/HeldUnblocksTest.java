package dev.billing.gateway.client;

import static dev.billing.gateway.client.StatusTableTest.active;
import static dev.billing.gateway.client.StatusTableTest.blocked;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HeldUnblocksTest {
    private static final TopicPartition P0 = new TopicPartition("account-status", 0);
    private static final TopicPartition P1 = new TopicPartition("account-status", 1);

    private final StatusTable table = new StatusTable();
    private final HeldUnblocks held = new HeldUnblocks();
    private final List<StatusTable.Outcome> outcomes = new ArrayList<>();

    @Test
    void anUnblockReadBeforeANewerBlockIsStaleWhenReleased() {
        table.apply(blocked("a", 1));
        assertThat(table.unblocks(active("a", 2))).isTrue();
        held.hold(P0, 10, active("a", 2));
        table.apply(blocked("a", 3)); // read after it: a block applies at once
        held.release(P0, table, outcomes::add);
        assertThat(table.check("a").allowed()).isFalse();
        assertThat(table.status("a").version()).isEqualTo(3);
        assertThat(outcomes).containsExactly(StatusTable.Outcome.STALE);
        assertThat(held.size()).isZero();
    }

    @Test
    void theNewestHeldUnblockAppliesWhenReleased() {
        table.apply(blocked("a", 1));
        assertThat(held.hold(P0, 10, active("a", 3))).isNull();
        assertThat(held.hold(P0, 11, active("a", 2))).as("a lower version read later is dropped").isNotNull();
        assertThat(held.size()).isEqualTo(1);
        assertThat(table.check("a").allowed()).as("held, not applied").isFalse();
        held.release(P0, table, outcomes::add);
        assertThat(table.check("a").allowed()).isTrue();
        assertThat(table.status("a").version()).isEqualTo(3);
    }

    @Test
    void onlyAnUnblockOfAKnownBlockIsOne() {
        assertThat(table.unblocks(active("a", 2))).as("unknown account").isFalse();
        table.apply(active("a", 2));
        assertThat(table.unblocks(active("a", 3))).as("already served").isFalse();
        table.apply(blocked("a", 4));
        assertThat(table.unblocks(active("a", 4))).as("not newer").isFalse();
        assertThat(table.unblocks(blocked("a", 5))).as("a block").isFalse();
        assertThat(table.unblocks(active("a", 5))).isTrue();
    }

    @Test
    void aHeldTombstoneForgetsOnlyTheStatusItFollowed() {
        table.apply(blocked("a", 1));
        held.holdTombstone(P0, 10, "a", table.blockingVersion("a"));
        table.apply(blocked("a", 2)); // a status after the tombstone
        held.release(P0, table, outcomes::add);
        assertThat(table.status("a").version()).isEqualTo(2);

        table.apply(blocked("b", 1));
        held.holdTombstone(P1, 5, "b", table.blockingVersion("b"));
        held.release(P1, table, outcomes::add);
        assertThat(table.check("b")).isSameAs(Decision.UNKNOWN_ACCOUNT);
    }

    @Test
    void partitionsAreReleasedOnceTheirEndsLieBeyondEveryHeldUnblock() {
        table.apply(blocked("a", 1));
        table.apply(blocked("b", 1));
        held.hold(P0, 10, active("a", 2));
        held.hold(P1, 20, active("b", 2));
        assertThat(held.heldBelow(Map.of(P0, 10L, P1, 21L))).containsExactly(P1);
        assertThat(held.heldBelow(Map.of(P0, 11L))).containsExactly(P0);
        assertThat(held.heldBelow(Map.of())).isEmpty();
    }
}
