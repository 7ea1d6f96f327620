package dev.billing.gateway.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billing.gateway.client.TopicFollower.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class HeldUnblocksTest {
    private static final TopicPartition P0 = new TopicPartition("account-status", 0);
    private static final TopicPartition P1 = new TopicPartition("account-status", 1);

    private final StatusTable table = new StatusTable();
    private final HeldUnblocks handler = new HeldUnblocks(table);
    private final List<Outcome> released = new ArrayList<>();

    @Test
    void anUnblockReadBeforeANewerBlockIsStaleWhenReleased() {
        assertThat(read(P0, 1, "a", true, 1)).isEqualTo(Outcome.APPLIED);
        assertThat(read(P0, 2, "a", false, 2)).isEqualTo(Outcome.HELD);
        assertThat(table.check("a").allowed()).as("held, not applied").isFalse();
        assertThat(read(P0, 3, "a", true, 3)).as("a block applies at once").isEqualTo(Outcome.APPLIED);
        handler.readTo(P0, 4, released::add);
        assertThat(released).containsExactly(Outcome.STALE);
        assertThat(table.check("a").allowed()).isFalse();
        assertThat(table.status("a").version()).isEqualTo(3);
        assertThat(handler.size()).isZero();
    }

    @Test
    void heldUnblocksApplyInOrderOnceThePartitionIsReadBeyondThem() {
        read(P0, 1, "a", true, 1);
        read(P0, 2, "a", false, 3);
        read(P0, 3, "a", false, 2); // a lower version read later
        handler.readTo(P0, 3, released::add);
        assertThat(handler.size()).as("not read beyond offset 3 yet").isEqualTo(2);
        assertThat(table.check("a").allowed()).isFalse();
        handler.readTo(P0, 4, released::add);
        assertThat(released).containsExactly(Outcome.APPLIED, Outcome.STALE);
        assertThat(table.check("a").allowed()).isTrue();
        assertThat(table.status("a").version()).isEqualTo(3);
    }

    @Test
    void onlyAnUnblockOfAKnownBlockIsHeld() {
        assertThat(read(P0, 1, "a", false, 1)).as("unknown account").isEqualTo(Outcome.APPLIED);
        assertThat(read(P0, 2, "a", false, 2)).as("already served").isEqualTo(Outcome.APPLIED);
        assertThat(read(P0, 3, "a", true, 3)).isEqualTo(Outcome.APPLIED);
        assertThat(read(P0, 4, "a", false, 3)).as("not newer").isEqualTo(Outcome.STALE);
        assertThat(read(P0, 5, "a", true, 4)).as("a block").isEqualTo(Outcome.APPLIED);
        assertThat(read(P0, 6, "a", false, 5)).isEqualTo(Outcome.HELD);
        handler.readTo(P1, 100, released::add);
        assertThat(released).as("another partition's end releases nothing here").isEmpty();
    }

    @Test
    void aHeldTombstoneForgetsOnlyTheStatusItFollowed() {
        read(P0, 1, "a", true, 1);
        assertThat(handler.apply(P0, 2, key("a"), null)).isEqualTo(Outcome.HELD);
        read(P0, 3, "a", true, 2); // a status after the tombstone
        handler.readTo(P0, 4, released::add);
        assertThat(table.status("a").version()).isEqualTo(2);

        read(P1, 1, "b", true, 1);
        assertThat(handler.apply(P1, 2, key("b"), null)).isEqualTo(Outcome.HELD);
        assertThat(table.check("b").allowed()).isFalse();
        handler.readTo(P1, 3, released::add);
        assertThat(table.check("b")).isSameAs(Decision.UNKNOWN_ACCOUNT);
    }

    private Outcome read(TopicPartition partition, long offset, String account, boolean blocked, long version) {
        return handler.apply(partition, offset, key(account), StatusTopic.json(account, blocked, version));
    }

    private static byte[] key(String account) {
        return account.getBytes(StandardCharsets.UTF_8);
    }
}
