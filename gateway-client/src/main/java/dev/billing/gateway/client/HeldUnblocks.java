package dev.billing.gateway.client;

import dev.billing.gateway.client.TopicFollower.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The status topic's handler: applies statuses to the {@link StatusTable}, except what would
 * unblock an account read while its partition is behind its end. A compacted topic keeps an
 * account's history until the cleaner runs (never in the active segment), so a client catching up
 * reads BLOCKED, then ACTIVE (a purchase), then perhaps BLOCKED again: the ACTIVE it reads midway
 * is history, not the account's status. Applied at once, it would let a client stuck midway (a
 * bootstrap timeout, a broker lost during the catch-up) serve under {@code FAIL_OPEN} an account
 * it has read as blocked. So an unblock (an ACTIVE, or a tombstone, of an account known to be
 * blocked) is held until its partition is read to its end ({@link #readTo}), then applied in
 * order (a newer status applied meanwhile makes it stale); a block applies at once. Called by the
 * follower's thread only.
 */
final class HeldUnblocks implements TopicFollower.Handler {
    /** A held message: a status, or (status null) a tombstone read while the account's status of {@code forgets} blocked it. */
    private record Held(String accountId, AccountStatus status, long forgets) {}

    private final StatusTable table;
    private final Map<TopicPartition, List<Held>> byPartition = new HashMap<>();
    private final Map<TopicPartition, Long> lastHeldOffset = new HashMap<>();
    private int size;

    HeldUnblocks(StatusTable table) {
        this.table = table;
    }

    @Override
    public Outcome apply(byte[] key, byte[] value) {
        return table.apply(key, value);
    }

    @Override
    public Outcome apply(TopicPartition partition, long offset, byte[] key, byte[] value) {
        if (value == null) {
            long blocking = key == null ? -1 : table.blockingVersion(new String(key, StandardCharsets.UTF_8));
            if (blocking < 0) {
                return table.apply(key, null);
            }
            hold(partition, offset, new Held(new String(key, StandardCharsets.UTF_8), null, blocking));
            return Outcome.HELD;
        }
        AccountStatus status = AccountStatus.fromJson(value);
        if (!table.unblocks(status)) {
            return table.apply(status);
        }
        // the records after it in this poll, or on the broker, may block it again
        hold(partition, offset, new Held(status.accountId(), status, -1));
        return Outcome.HELD;
    }

    private void hold(TopicPartition partition, long offset, Held held) {
        byPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(held);
        lastHeldOffset.put(partition, offset);
        size++;
    }

    /** Applies the partition's held messages, in the order they were read, once they all lie below {@code end}. */
    @Override
    public void readTo(TopicPartition partition, long end, Consumer<Outcome> released) {
        Long last = lastHeldOffset.get(partition);
        if (last == null || last >= end) {
            return;
        }
        lastHeldOffset.remove(partition);
        List<Held> held = byPartition.remove(partition);
        size -= held.size();
        for (Held h : held) {
            if (h.status != null) {
                released.accept(table.apply(h.status));
            } else {
                table.forget(h.accountId, h.forgets);
                released.accept(Outcome.APPLIED);
            }
        }
    }

    /** Messages held now. */
    int size() {
        return size;
    }
}
