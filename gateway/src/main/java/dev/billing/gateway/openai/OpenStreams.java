package dev.billing.gateway.openai;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The streams being sent, so that a stopping server ends them and waits until each has recorded its usage. */
public final class OpenStreams {
    private final Set<StreamedCompletion> open = new HashSet<>();

    synchronized void add(StreamedCompletion stream) {
        open.add(stream);
    }

    synchronized void remove(StreamedCompletion stream) {
        if (open.remove(stream) && open.isEmpty()) {
            notifyAll();
        }
    }

    synchronized int size() {
        return open.size();
    }

    /** Ends every open stream where it is, then waits up to {@code grace} for them to record their usage. */
    public void abortAll(Duration grace) throws InterruptedException {
        List<StreamedCompletion> streams;
        synchronized (this) {
            streams = List.copyOf(open);
        }
        streams.forEach(StreamedCompletion::abort);
        synchronized (this) {
            long deadline = System.nanoTime() + grace.toNanos();
            long left;
            while (!open.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }
}
