package dev.billing.output;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's writer thread: takes batches from the {@link HeldRows} and writes them. A batch that
 * fails for any reason but a row's (PostgreSQL down, hung, locked, a schema fault) goes back to the
 * held rows and is retried after a capped backoff, for as long as it takes: the task never fails
 * for PostgreSQL, so the ledger and its statuses never stop or restart for it.
 */
final class WriteLoop<T> implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteLoop.class);

    /** The table and the subtask, as the log names them. */
    private final String table;
    private final HeldRows<T> held;
    private final RowWriter<T> rows;
    private final RetryPolicy retry;
    private final Duration warnEvery;
    private final Counter writeFailures;
    private final Counter connectionRetries;
    /** An error no retry can help (a bug); the task thread fails the task with it. */
    private volatile Throwable broken;

    WriteLoop(String table, HeldRows<T> held, RowWriter<T> rows, RetryPolicy retry, Duration warnEvery,
            Counter writeFailures, Counter connectionRetries) {
        this.table = table;
        this.held = held;
        this.rows = rows;
        this.retry = retry;
        this.warnEvery = warnEvery;
        this.writeFailures = writeFailures;
        this.connectionRetries = connectionRetries;
    }

    Throwable broken() {
        return broken;
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the sink is closing
        } catch (Throwable t) {
            broken = t;
            LOG.error("The writer of {} stopped: {}", table, t.toString(), t);
        }
    }

    private void loop() throws InterruptedException {
        int failures = 0;
        long failingSinceMs = 0;
        long lastWarnMs = 0;
        while (!held.isClosed()) {
            List<T> batch = held.take();
            if (batch.isEmpty()) {
                continue;
            }
            try {
                rows.write(batch);
                held.committed();
                if (failures > 0) {
                    LOG.info("PostgreSQL takes {} rows again after {} s and {} failed attempts; {} rows still held are"
                            + " being written.", table, (System.currentTimeMillis() - failingSinceMs) / 1000, failures,
                            held.size());
                }
                failures = 0;
            } catch (SQLException | RuntimeException e) {
                held.failed();
                writeFailures.inc();
                SqlErrors kind = e instanceof SQLException s ? SqlErrors.of(s) : SqlErrors.FATAL;
                if (kind == SqlErrors.TRANSIENT) {
                    connectionRetries.inc();
                }
                long now = System.currentTimeMillis();
                if (failures == 0) {
                    failingSinceMs = now;
                }
                if (failures == 0 || now - lastWarnMs >= warnEvery.toMillis()) {
                    lastWarnMs = now;
                    String why = e instanceof SQLException s
                            ? "SQLSTATE " + SqlErrors.stateOf(s) + ": " + SqlErrors.messageOf(s) : e.toString();
                    String message = "Cannot write {} to PostgreSQL for {} s ({}). Billing and account statuses go on;"
                            + " {} rows are held (the newest of each key, oldest waiting {} s), kept in checkpoints,"
                            + " and written once PostgreSQL takes them. Retrying every {} ms at most.";
                    Object[] args = {table, (now - failingSinceMs) / 1000, why, held.size(), held.oldestAgeMs() / 1000,
                            retry.maxBackoff().toMillis()};
                    if (kind == SqlErrors.TRANSIENT) {
                        LOG.warn(message, args);
                    } else {
                        // not an outage: the schema, the permissions or the URL need an operator
                        LOG.error(message, args);
                    }
                }
                held.pause(retry.backoffMs(failures++));
            }
        }
    }
}
