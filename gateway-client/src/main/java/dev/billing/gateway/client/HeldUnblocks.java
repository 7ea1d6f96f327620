package dev.billing.gateway.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * What would unblock an account, read while its partition is behind its end. A compacted topic
 * keeps an account's history until the cleaner runs (never in the active segment), so a client
 * catching up reads BLOCKED, then ACTIVE (a purchase), then perhaps BLOCKED again: the ACTIVE it
 * reads midway is history, not the account's status. Applied at once, it would let a client stuck
 * midway (a bootstrap timeout, a broker lost during the catch-up) serve under {@code FAIL_OPEN} an
 * account it has read as blocked. So an unblock (an ACTIVE, or a tombstone, of an account known
 * to be blocked) waits here until its partition is read to its end; a block applies at once.
 * Thread-confined to the follower.
 */
final class HeldUnblocks {
    /** An account's newest held unblock: a status, or a tombstone of the status of version {@code forgets}. */
    private record Held(AccountStatus status, long forgets) {}

    private final Map<TopicPartition, Map<String, Held>> byPartition = new HashMap<>();
    private final Map<TopicPartition, Long> lastHeldOffset = new HashMap<>();
    private int size;

    /**
     * Holds an ACTIVE status (newer than the blocked one known) read at {@code offset}; of two, the
     * higher version is kept.
     *
     * @return the status it replaced, or null
     */
    AccountStatus hold(TopicPartition tp, long offset, AccountStatus status) {
        return put(tp, offset, status.accountId(), new Held(status, -1));
    }

    /** Holds a tombstone read while the account's known status, of version {@code knownVersion}, blocks it. */
    AccountStatus holdTombstone(TopicPartition tp, long offset, String accountId, long knownVersion) {
        return put(tp, offset, accountId, new Held(null, knownVersion));
    }

    private AccountStatus put(TopicPartition tp, long offset, String accountId, Held held) {
        Map<String, Held> partition = byPartition.computeIfAbsent(tp, p -> new HashMap<>());
        lastHeldOffset.put(tp, offset);
        Held before = partition.put(accountId, held);
        if (before == null) {
            size++;
            return null;
        }
        if (held.status != null && before.status != null && before.status.version() > held.status.version()) {
            partition.put(accountId, before); // a tombstone or a status read later replaces it; a lower version not
            return held.status;
        }
        return before.status;
    }

    /** Partitions with held unblocks. */
    List<TopicPartition> partitions() {
        return new ArrayList<>(byPartition.keySet());
    }

    /**
     * Partitions whose every held unblock lies below the end offsets the positions have reached:
     * whatever followed those unblocks up to the end the broker reported has been read.
     */
    List<TopicPartition> heldBelow(Map<TopicPartition, Long> reachedEnds) {
        List<TopicPartition> out = new ArrayList<>();
        lastHeldOffset.forEach((tp, offset) -> {
            Long end = reachedEnds.get(tp);
            if (end != null && offset < end) {
                out.add(tp);
            }
        });
        return out;
    }

    /** Applies the partition's held unblocks to {@code table} (each only if still newer), and forgets them. */
    void release(TopicPartition tp, StatusTable table, Applied applied) {
        Map<String, Held> partition = byPartition.remove(tp);
        lastHeldOffset.remove(tp);
        if (partition == null) {
            return;
        }
        size -= partition.size();
        partition.forEach((account, held) -> {
            if (held.status != null) {
                applied.count(table.apply(held.status));
            } else {
                table.forget(account, held.forgets);
            }
        });
    }

    int size() {
        return size;
    }

    /** Counts what {@link StatusTable#apply} did with a released status. */
    @FunctionalInterface
    interface Applied {
        void count(StatusTable.Outcome outcome);
    }
}
