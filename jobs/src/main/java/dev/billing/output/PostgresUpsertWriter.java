package dev.billing.output;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers rows, keeps the last row per primary key (rows are whole totals, so the last one is the
 * truth; one statement may not update a key twice), and upserts the buffer as one statement whose
 * rows travel as arrays ({@link UpsertTable#arraySql}) when it holds {@code batchSize} keys, when
 * the batch interval has passed since the first buffered row, and in {@link #flush} before every
 * checkpoint, which makes the sink at-least-once: a restored job rewrites the same totals.
 *
 * <p>Failures, by SQLSTATE ({@link SqlErrors}): a lost connection is retried on a new one with
 * backoff, then fails the task as any sink would, so an outage of PostgreSQL fails over and
 * recovers. A row PostgreSQL refuses (a constraint, a trigger, a type rule) would fail the same way
 * on every retry and stop billing for every account, so the batch is split in halves until the
 * refused rows are alone; the others are written, and each refused row goes to
 * {@code billing_quarantine} with the server's SQLSTATE and message. The exact totals stay in the
 * ledger's state: the next write of that key, once the cause is fixed, or a reconcile, repairs it.
 *
 * <p>All methods, including the batch timer, run on the task's mailbox thread.
 */
final class PostgresUpsertWriter<T> implements SinkWriter<T> {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresUpsertWriter.class);
    /** Keys already warned about; beyond this many, a flood of refusals is left to the metric and the table. */
    private static final int MAX_WARNED_KEYS = 10_000;

    private final UpsertTable<T> table;
    private final PostgresSinks.Target target;
    private final RetryPolicy retry;
    private final ProcessingTimeService time;
    /** Copies rows when object reuse is on, since the buffer outlives the call; null otherwise. */
    private final TypeSerializer<T> copier;
    private final Map<List<Object>, T> buffer = new LinkedHashMap<>();
    private final Set<List<Object>> warnedKeys = new HashSet<>();
    final Counter quarantinedRows;
    final Counter quarantineFailures;
    final Counter connectionRetries;
    private Connection connection;
    private boolean timerPending;

    PostgresUpsertWriter(UpsertTable<T> table, PostgresSinks.Target target, RetryPolicy retry,
            ProcessingTimeService time, MetricGroup metrics, TypeSerializer<T> copier) {
        this.table = table;
        this.target = target;
        this.retry = retry;
        this.time = time;
        this.copier = copier;
        this.quarantinedRows = metrics.counter("quarantinedRows");
        this.quarantineFailures = metrics.counter("quarantineFailures");
        this.connectionRetries = metrics.counter("connectionRetries");
    }

    @Override
    public void write(T row, Context context) throws IOException, InterruptedException {
        T kept = copier == null ? row : copier.copy(row);
        buffer.put(table.key.of(kept), kept);
        if (buffer.size() >= target.batchSize) {
            flushBuffer();
        } else if (!timerPending && target.batchInterval.toMillis() > 0) {
            timerPending = true;
            time.registerTimer(time.getCurrentProcessingTime() + target.batchInterval.toMillis(), t -> {
                timerPending = false;
                flushBuffer();
            });
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        flushBuffer();
    }

    /** Rows buffered and not yet written. */
    int buffered() {
        return buffer.size();
    }

    private void flushBuffer() throws IOException, InterruptedException {
        if (buffer.isEmpty()) {
            return;
        }
        List<T> rows = new ArrayList<>(buffer.values());
        buffer.clear();
        try {
            write(rows);
        } catch (SQLException e) {
            throw new IOException("Writing " + rows.size() + " rows to " + table.table + " failed (SQLSTATE "
                    + SqlErrors.stateOf(e) + "): " + SqlErrors.messageOf(e), e);
        }
    }

    /** Writes {@code rows}; those PostgreSQL refuses are found by halving and quarantined. */
    private void write(List<T> rows) throws SQLException, InterruptedException {
        SQLException refused = attempt(c -> upsert(c, rows));
        if (refused == null) {
            return;
        }
        if (SqlErrors.of(refused) != SqlErrors.ROW) {
            throw refused;
        }
        if (rows.size() == 1) {
            quarantine(rows.get(0), refused);
            return;
        }
        int half = rows.size() / 2;
        write(rows.subList(0, half));
        write(rows.subList(half, rows.size()));
    }

    private void upsert(Connection c, List<T> rows) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(table.arraySql())) {
            try {
                table.bindArrays(c, ps, rows);
            } catch (RuntimeException e) {
                // a value that cannot even be expressed (e.g. a decimal the column would round) is a row's fault
                throw new SQLException("a row cannot be bound: " + e, "22000", e);
            }
            ps.execute();
        }
        c.commit();
    }

    private void quarantine(T row, SQLException refused) throws SQLException, InterruptedException {
        quarantinedRows.inc();
        List<Object> key = table.key.of(row);
        String state = SqlErrors.stateOf(refused);
        String message = SqlErrors.messageOf(refused);
        boolean firstTime = warnedKeys.size() < MAX_WARNED_KEYS && warnedKeys.add(key);
        if (firstTime) {
            LOG.warn("PostgreSQL could not store the {} row {} (SQLSTATE {}: {}); it is kept in billing_quarantine and every"
                    + " other row is written. Fix the cause; the next write of this key or a reconcile repairs it.",
                    table.table, key, state, message);
        }
        String keyJson;
        String rowJson;
        try {
            keyJson = table.keyJson(key).toString();
            rowJson = table.rowJson(row).toString();
        } catch (RuntimeException e) {
            dropped(key, e.toString());
            return;
        }
        SQLException failed = attempt(c -> {
            Quarantine.put(c, table.table, keyJson, rowJson, state == null ? "" : state, message);
            c.commit();
        });
        if (failed != null) {
            dropped(key, "SQLSTATE " + SqlErrors.stateOf(failed) + ": " + SqlErrors.messageOf(failed));
        }
    }

    /** Even the quarantine refused it: the state keeps the exact totals, and the next flush of the key tries again. */
    private void dropped(List<Object> key, String why) {
        quarantineFailures.inc();
        LOG.error("Could not quarantine the refused {} row {} either ({}); it is dropped from this write only:"
                + " the job's state keeps its exact totals for the next write of the key or a reconcile.",
                table.table, key, why);
    }

    @FunctionalInterface
    private interface SqlAction {
        void run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code action} in a transaction, reconnecting on transient failures up to the retry
     * policy's limit (then throws). Returns null on success, or the error of any other failure.
     */
    private SQLException attempt(SqlAction action) throws SQLException, InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                action.run(connection());
                return null;
            } catch (SQLException e) {
                if (SqlErrors.of(e) != SqlErrors.TRANSIENT) {
                    rollback();
                    return e;
                }
                closeConnection();
                if (attempt >= retry.retries()) {
                    throw e;
                }
                connectionRetries.inc();
                long backoff = retry.backoffMs(attempt);
                LOG.warn("Writing to {} failed (SQLSTATE {}: {}); reconnecting in {} ms (retry {} of {})", table.table,
                        SqlErrors.stateOf(e), SqlErrors.messageOf(e), backoff, attempt + 1, retry.retries());
                Thread.sleep(backoff);
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Properties props = new Properties();
            if (target.user != null) {
                props.setProperty("user", target.user);
            }
            if (target.password != null) {
                props.setProperty("password", target.password);
            }
            Connection c = DriverManager.getConnection(target.url, props);
            c.setAutoCommit(false);
            connection = c;
        }
        return connection;
    }

    private void rollback() {
        try {
            if (connection != null) {
                connection.rollback();
            }
        } catch (SQLException e) {
            closeConnection(); // the next attempt starts on a fresh connection
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // it is being replaced: a failure to close a broken connection changes nothing
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        closeConnection();
    }
}
