package dev.billing.gateway.client;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Proves how fresh the client's copy of the topic is. The client asks the broker for the end
 * offset of every partition at time {@code t}; once its positions reach those offsets it has
 * applied every message appended before {@code t}, so its copy is confirmed complete as of
 * {@code t}. The staleness of a decision is at most the time since the newest confirmation,
 * whatever the reason it stopped coming (broker down, network, a slow consumer).
 */
final class CatchUpTracker {
    private Map<TopicPartition, Long> target;
    private Map<TopicPartition, Long> reachedTarget = Map.of();
    private long targetAskedAtNanos;
    private boolean confirmed;
    private long confirmedAtNanos;

    /** A new target: the end offsets the broker reported for a request sent at {@code askedAtNanos}. */
    void expect(Map<TopicPartition, Long> endOffsets, long askedAtNanos) {
        target = Map.copyOf(endOffsets);
        targetAskedAtNanos = askedAtNanos;
    }

    /** True while a target waits to be reached: no new end offsets are needed yet. */
    boolean pending() {
        return target != null;
    }

    /** Forgets the pending target, when the assignment changed under it. */
    void clearTarget() {
        target = null;
    }

    /**
     * Compares the positions (next offset to read, per partition) with the pending target; true
     * when they reach it, which confirms the copy as of the time the target was asked for.
     */
    boolean reached(Map<TopicPartition, Long> positions) {
        if (target == null) {
            return false;
        }
        for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
            Long position = positions.get(end.getKey());
            if (position == null || position < end.getValue()) {
                return false;
            }
        }
        confirmed = true;
        confirmedAtNanos = targetAskedAtNanos; // targets are asked one after the other: never older
        reachedTarget = target;
        target = null;
        return true;
    }

    /** The end offsets most recently reached; empty before the first. */
    Map<TopicPartition, Long> reachedTarget() {
        return reachedTarget;
    }

    boolean confirmed() {
        return confirmed;
    }

    /** When the copy was last confirmed complete ({@link System#nanoTime()} scale); valid once confirmed. */
    long confirmedAtNanos() {
        return confirmedAtNanos;
    }

    /** Records between the positions and the pending target, or 0 without one. */
    long behindTarget(Map<TopicPartition, Long> positions) {
        if (target == null) {
            return 0;
        }
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
            behind += Math.max(0, end.getValue() - positions.getOrDefault(end.getKey(), 0L));
        }
        return behind;
    }
}
