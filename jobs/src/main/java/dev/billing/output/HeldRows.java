package dev.billing.output;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows a sink owes PostgreSQL, shared by the task's thread (which adds rows and snapshots them)
 * and the sink's writer thread (which takes batches and reports how they went).
 *
 * <p>At most one row per primary key is held: rows are whole totals, so the newest version of a key
 * is all PostgreSQL needs, and a row never replaces one of a higher version. Memory is therefore
 * bounded by the keys changed since PostgreSQL last kept up (accounts for account_balance,
 * account-model-hours for usage_hourly), not by the records billed meanwhile.
 *
 * <p>A batch taken for writing stays held ("in flight") until it is committed: a snapshot includes
 * it, and a failed batch is merged back under any newer row that arrived meanwhile.
 */
final class HeldRows<T> {
    /** A row and when its key began to be owed (kept across replacements and failed attempts). */
    record Held<T>(T row, long version, long sinceMs) {}

    private final UpsertTable<T> table;
    private final int batchSize;
    private final long intervalMs;
    private final Clock clock;
    private final Map<List<Object>, Held<T>> pending = new LinkedHashMap<>();
    private final Map<List<Object>, Held<T>> inFlight = new LinkedHashMap<>();
    /** When the first row now pending arrived into an empty pending map: the batch interval counts from it. */
    private long firstPendingMs;
    private boolean flushRequested;
    /** Batches committed so far: a drain that sees this move is making progress. */
    private long commits;
    private boolean closed;

    HeldRows(UpsertTable<T> table, int batchSize, long intervalMs, Clock clock) {
        this.table = table;
        this.batchSize = Math.max(1, batchSize);
        this.intervalMs = intervalMs;
        this.clock = clock;
    }

    /** Holds {@code row} unless a row of a higher version of its key is already held. */
    synchronized void add(T row) {
        long nowMs = clock.nowMs();
        List<Object> key = table.key.of(row);
        long version = table.version.of(row);
        Held<T> flying = inFlight.get(key);
        long since = flying == null ? nowMs : flying.sinceMs();
        if (flying != null && flying.version() > version) {
            return;
        }
        Held<T> old = pending.get(key);
        if (old != null) {
            if (old.version() > version) {
                return;
            }
            since = Math.min(since, old.sinceMs());
        }
        boolean first = pending.isEmpty();
        if (first) {
            firstPendingMs = nowMs;
        }
        pending.put(key, new Held<>(row, version, since));
        if (first || pending.size() >= batchSize) {
            // with nothing pending the writer thread waits without a deadline: it must learn when the
            // batch interval starts, or a partial batch would wait for the next checkpoint instead
            notifyAll();
        }
    }

    /**
     * Waits until a batch is due (it is full, the first pending row has waited the batch interval,
     * a flush was requested, or the rows are being closed), then moves up to a batch of pending rows
     * in flight and returns them; empty when closed.
     */
    synchronized List<T> take() throws InterruptedException {
        int max = batchSize;
        while (!closed) {
            if (!pending.isEmpty()) {
                long due = firstPendingMs + intervalMs;
                long now = clock.nowMs();
                if (pending.size() >= max || flushRequested || now >= due) {
                    break;
                }
                wait(Math.max(1, due - now));
            } else {
                wait();
            }
        }
        List<T> batch = new ArrayList<>(Math.min(max, pending.size()));
        if (closed) {
            return batch;
        }
        Iterator<Map.Entry<List<Object>, Held<T>>> it = pending.entrySet().iterator();
        while (it.hasNext() && batch.size() < max) {
            Map.Entry<List<Object>, Held<T>> e = it.next();
            inFlight.put(e.getKey(), e.getValue());
            batch.add(e.getValue().row());
            it.remove();
        }
        if (pending.isEmpty()) {
            flushRequested = false;
        } else {
            firstPendingMs = clock.nowMs();
        }
        notifyAll();
        return batch;
    }

    /** The batch in flight is in PostgreSQL (or quarantined): it is owed no more. */
    synchronized void committed() {
        inFlight.clear();
        commits++;
        notifyAll();
    }

    /** The batch in flight was not written: it is owed again, under any newer row of its keys. */
    synchronized void failed() {
        long nowMs = clock.nowMs();
        if (inFlight.isEmpty()) {
            return;
        }
        Map<List<Object>, Held<T>> merged = new LinkedHashMap<>(inFlight);
        inFlight.clear();
        pending.forEach((key, held) -> {
            Held<T> older = merged.get(key);
            if (older == null || older.version() <= held.version()) {
                merged.put(key, older == null ? held : new Held<>(held.row(), held.version(),
                        Math.min(held.sinceMs(), older.sinceMs())));
            }
        });
        boolean wasEmpty = pending.isEmpty();
        pending.clear();
        pending.putAll(merged); // the failed rows first: they are the oldest debts
        if (wasEmpty) {
            firstPendingMs = nowMs;
        }
        notifyAll();
    }

    /** Asks for the pending rows to be written now rather than at the end of the batch interval. */
    synchronized void requestFlush() {
        if (!pending.isEmpty()) {
            flushRequested = true;
            notifyAll();
        }
    }

    /** Every row owed, pending or in flight, one per key, the highest version: what a checkpoint keeps. */
    synchronized List<T> snapshot() {
        Map<List<Object>, Held<T>> all = new LinkedHashMap<>(inFlight);
        pending.forEach((key, held) -> all.merge(key, held, (a, b) -> a.version() > b.version() ? a : b));
        List<T> rows = new ArrayList<>(all.size());
        all.values().forEach(h -> rows.add(h.row()));
        return rows;
    }

    /** Rows owed, pending and in flight (a key in both counts twice, briefly). */
    synchronized int size() {
        return pending.size() + inFlight.size();
    }

    /** How long the oldest owed key has been waiting, 0 when nothing is owed. */
    synchronized long oldestAgeMs() {
        long nowMs = clock.nowMs();
        long oldest = nowMs;
        for (Held<T> h : pending.values()) {
            oldest = Math.min(oldest, h.sinceMs());
        }
        for (Held<T> h : inFlight.values()) {
            oldest = Math.min(oldest, h.sinceMs());
        }
        return nowMs - oldest;
    }

    /** Waits until nothing is owed, or no batch was committed for {@code timeoutMs}; whether nothing is. */
    synchronized boolean awaitDrained(long timeoutMs) throws InterruptedException {
        long deadline = clock.nowMs() + timeoutMs;
        long seen = commits;
        while (!pending.isEmpty() || !inFlight.isEmpty()) {
            if (commits != seen) {
                seen = commits;
                deadline = clock.nowMs() + timeoutMs;
            }
            long left = deadline - clock.nowMs();
            if (left <= 0 || closed) {
                return false;
            }
            flushRequested = true;
            notifyAll();
            wait(Math.min(left, 100));
        }
        return true;
    }

    /** Waits {@code ms} before a retry, or less when closed. */
    synchronized void pause(long ms) throws InterruptedException {
        long deadline = clock.nowMs() + ms;
        for (long left = ms; left > 0 && !closed; left = deadline - clock.nowMs()) {
            wait(left);
        }
    }

    /** Wakes the writer thread for good. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Wall-clock milliseconds; a test may substitute its own. */
    @FunctionalInterface
    interface Clock {
        Clock SYSTEM = System::currentTimeMillis;

        long nowMs();
    }
}
