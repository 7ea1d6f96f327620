package dev.billing.output;

import java.sql.SQLException;

/**
 * What a failed statement means for the rows in it, by SQLSTATE class. A transient failure is
 * worth retrying on a new connection; a data error belongs to a row and will fail the same way on
 * every retry, so that row is set aside; anything else (a missing table, a syntax or permission
 * error) is a fault of the deployment, retried as well but logged as an error: the rows wait for
 * an operator, billing does not.
 */
enum SqlErrors {
    /**
     * Connection lost (08), server shutting down (57P01..57P03), serialization or deadlock (40001,
     * 40P01), too many connections (53300), a statement or lock wait over its timeout (57014, 55P03).
     */
    TRANSIENT,
    /** Data exception (22), integrity constraint (23), raised by PL/pgSQL, e.g. a trigger (P0). */
    ROW,
    /** Everything else, including class 42 (syntax, undefined table): the job's or the schema's fault. */
    FATAL;

    static SqlErrors of(SQLException e) {
        String state = stateOf(e);
        if (state == null || state.length() != 5) {
            return FATAL;
        }
        String cls = state.substring(0, 2);
        if (cls.equals("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
                || state.equals("40001") || state.equals("40P01") || state.equals("53300")
                || state.equals("57014") || state.equals("55P03")) {
            return TRANSIENT;
        }
        if (cls.equals("22") || cls.equals("23") || cls.equals("P0")) {
            return ROW;
        }
        return FATAL;
    }

    /**
     * The SQLSTATE of the failure itself: a batch reports its own (often generic) exception with the
     * server's error chained behind it.
     */
    static String stateOf(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            String state = next.getSQLState();
            if (state != null && !state.isEmpty()) {
                return state;
            }
        }
        return null;
    }

    /** The server's message (a batch's own names only the statement). */
    static String messageOf(SQLException e) {
        SQLException next = e.getNextException();
        return next != null && next.getMessage() != null ? next.getMessage() : String.valueOf(e.getMessage());
    }
}
