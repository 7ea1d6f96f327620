package dev.billing.output;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upsert sink's writer. The task's thread only hands rows over: {@link #write} merges a row
 * into the {@link HeldRows} (the last row per primary key; rows are whole totals) and never waits
 * for PostgreSQL, and neither do {@link #flush} and {@link #snapshotState}, so a locked, hung or
 * stopped PostgreSQL never backpressures the ledger (whose statuses are the cutoffs) nor holds a
 * checkpoint. A thread of the writer's own ({@link WriteLoop}) writes the rows in batches and
 * retries until PostgreSQL takes them.
 *
 * <p>The rows owed, written or not, are this writer's checkpointed state: a restored job writes
 * what its checkpoint still owed, and the version check in the upsert keeps an older row from
 * replacing a newer one whichever order they arrive in.
 */
final class PostgresUpsertWriter<T> implements StatefulSinkWriter<T, T> {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresUpsertWriter.class);
    /** How often, at most, an outage is logged again while it lasts. */
    static final Duration WARN_EVERY = Duration.ofSeconds(30);

    private final UpsertTable<T> table;
    private final PostgresSinks.Target target;
    /** Copies rows when object reuse is on, since the held rows outlive the call; null otherwise. */
    private final TypeSerializer<T> copier;
    private final HeldRows<T> held;
    private final RowWriter<T> rows;
    private final WriteLoop<T> loop;
    private final Thread thread;
    final Counter quarantinedRows;
    final Counter quarantineFailures;
    final Counter connectionRetries;
    final Counter writeFailures;

    PostgresUpsertWriter(UpsertTable<T> table, PostgresSinks.Target target, RetryPolicy retry, MetricGroup metrics,
            TypeSerializer<T> copier, Collection<T> restored, String threadName) {
        this.table = table;
        this.target = target;
        this.copier = copier;
        this.held = new HeldRows<>(table, target.batchSize, target.batchInterval.toMillis(), HeldRows.Clock.SYSTEM);
        this.quarantinedRows = metrics.counter("quarantinedRows");
        this.quarantineFailures = metrics.counter("quarantineFailures");
        this.connectionRetries = metrics.counter("connectionRetries");
        this.writeFailures = metrics.counter("writeFailures");
        metrics.gauge("pendingRows", (Gauge<Integer>) held::size);
        metrics.gauge("oldestPendingAgeMs", (Gauge<Long>) held::oldestAgeMs);
        restored.forEach(held::add);
        if (!restored.isEmpty()) {
            LOG.info("{}: {} rows owed to PostgreSQL when the checkpoint was taken are restored; writing them.",
                    threadName, restored.size());
        }
        this.rows = new RowWriter<>(table, target, quarantinedRows, quarantineFailures);
        this.loop = new WriteLoop<>(threadName, held, rows, retry, WARN_EVERY, writeFailures, connectionRetries);
        this.thread = new Thread(loop, threadName);
        thread.setDaemon(true);
        thread.setContextClassLoader(PostgresUpsertWriter.class.getClassLoader());
        thread.start();
    }

    @Override
    public void write(T row, Context context) throws IOException {
        checkLoop();
        held.add(copier == null ? row : copier.copy(row));
    }

    /**
     * Before a checkpoint: asks for the held rows to be written now, without waiting (the checkpoint
     * keeps whatever is still owed). At the end of the input (a bounded run, a drain): waits until
     * every row is written, failing if PostgreSQL takes none for the drain timeout.
     */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        checkLoop();
        if (!endOfInput) {
            held.requestFlush();
            return;
        }
        if (!held.awaitDrained(target.drainTimeout.toMillis())) {
            checkLoop();
            throw new IOException(held.size() + " " + table.table + " rows could not be written at the end of the input:"
                    + " PostgreSQL took none for " + target.drainTimeout.toSeconds() + " s (see the log for why)");
        }
    }

    @Override
    public List<T> snapshotState(long checkpointId) {
        return held.snapshot();
    }

    /** Rows owed to PostgreSQL, pending and in flight. */
    int held() {
        return held.size();
    }

    private void checkLoop() throws IOException {
        Throwable broken = loop.broken();
        if (broken != null) {
            throw new IOException("the writer of " + table.table + " stopped: " + broken, broken);
        }
    }

    @Override
    public void close() throws InterruptedException {
        held.close();
        thread.interrupt();
        thread.join(Timeouts.MAX_CONNECT.toMillis());
        rows.close(); // ends a write still blocked on the socket, if any
    }
}
