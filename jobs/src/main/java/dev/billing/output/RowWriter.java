package dev.billing.output;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes batches of one table on one connection, every wait bounded ({@link Timeouts}), and sets
 * aside the rows PostgreSQL refuses. A batch goes as one statement whose rows travel as arrays
 * ({@link UpsertTable#arraySql}).
 *
 * <p>A row PostgreSQL refuses (a constraint, a trigger, a type rule) would fail the same way on
 * every retry and hold every other row back, so the batch is split in halves until the refused rows
 * are alone; the others are written, and each refused row goes to {@code billing_quarantine} with
 * the server's SQLSTATE and message. The exact totals stay in the ledger's state: the next write of
 * that key, once the cause is fixed, or a reconcile, repairs it. Any other failure is thrown for the
 * caller to retry the whole batch: rows already written are rewritten as no-ops by the version check.
 *
 * <p>Used by one thread at a time.
 */
final class RowWriter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RowWriter.class);
    /** Keys already warned about; beyond this many, a flood of refusals is left to the metric and the table. */
    private static final int MAX_WARNED_KEYS = 10_000;

    private final UpsertTable<T> table;
    private final PostgresSinks.Target target;
    private final Counter quarantinedRows;
    private final Counter quarantineFailures;
    private final Set<List<Object>> warnedKeys = new HashSet<>();
    private volatile Connection connection;

    RowWriter(UpsertTable<T> table, PostgresSinks.Target target, Counter quarantinedRows, Counter quarantineFailures) {
        this.table = table;
        this.target = target;
        this.quarantinedRows = quarantinedRows;
        this.quarantineFailures = quarantineFailures;
    }

    /** Writes {@code rows}, quarantining those PostgreSQL refuses; throws on any failure that is not a row's. */
    void write(List<T> rows) throws SQLException {
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
            ps.setQueryTimeout(Timeouts.seconds(target.writeTimeout));
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

    private void quarantine(T row, SQLException refused) throws SQLException {
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
        if (failed == null) {
            return;
        }
        if (SqlErrors.of(failed) != SqlErrors.ROW) {
            throw failed; // PostgreSQL went away meanwhile: the batch is retried, this row with it
        }
        dropped(key, "SQLSTATE " + SqlErrors.stateOf(failed) + ": " + SqlErrors.messageOf(failed));
    }

    /** Even the quarantine refused it: the state keeps the exact totals, and the next write of the key tries again. */
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
     * Runs {@code action} in a transaction. Returns null on success or the error of a row's fault
     * (rolled back); throws any other failure, after dropping a connection that may be broken.
     */
    private SQLException attempt(SqlAction action) throws SQLException {
        try {
            action.run(connection());
            return null;
        } catch (SQLException e) {
            if (SqlErrors.of(e) == SqlErrors.ROW) {
                rollback();
                return e;
            }
            close();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        Connection c = connection;
        if (c == null) {
            Properties props = Timeouts.connectionProperties(target.writeTimeout);
            if (target.user != null) {
                props.setProperty("user", target.user);
            }
            if (target.password != null) {
                props.setProperty("password", target.password);
            }
            c = DriverManager.getConnection(target.url, props);
            c.setAutoCommit(false);
            connection = c;
        }
        return c;
    }

    private void rollback() {
        try {
            Connection c = connection;
            if (c != null) {
                c.rollback();
            }
        } catch (SQLException e) {
            close(); // the next attempt starts on a fresh connection
        }
    }

    /** Closes the connection; from another thread, this also ends a write blocked on it. */
    @Override
    public void close() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // it is being replaced or the sink is closing: a failure to close a broken connection changes nothing
            }
        }
    }
}
