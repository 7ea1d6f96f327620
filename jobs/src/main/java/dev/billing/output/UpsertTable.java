package dev.billing.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.sql.Array;
import java.sql.Connection;
import java.util.stream.Collectors;

/**
 * How rows of one table are written: its columns (each with its SQL type and how a row's value is
 * written as text), its primary key, and the column whose higher value wins (the row version: an
 * upsert never replaces a newer row). From the columns come both statements: one row at a time,
 * and a whole batch as one statement whose rows travel as one text array per column
 * ({@code INSERT ... SELECT ... FROM unnest(...)}: one parse, one plan, one round trip per
 * batch). Values go as text and PostgreSQL casts them, so money stays exact. Rows with equal keys
 * replace each other in a batch: each row holds whole totals. {@link PostgresSinks} defines one
 * per table, so a new column is a change in one place.
 */
public final class UpsertTable<T> implements Serializable {
    private static final long serialVersionUID = 3L;
    private static final ObjectMapper ROW_JSON = new ObjectMapper();

    /** A column: its value from the row as text (cast to {@code type} by PostgreSQL), or a SQL expression. */
    public static final class Column<T> implements Serializable {
        private static final long serialVersionUID = 1L;
        final String name;
        final String type;
        final TextValue<T> value;
        final String expression;

        private Column(String name, String type, TextValue<T> value, String expression) {
            this.name = name;
            this.type = type;
            this.value = value;
            this.expression = expression;
        }

        public static <T> Column<T> of(String name, String type, TextValue<T> value) {
            return new Column<>(name, type, value, null);
        }

        /** A column the database fills, e.g. {@code now()}. */
        public static <T> Column<T> computed(String name, String expression) {
            return new Column<>(name, null, null, expression);
        }
    }

    /** A column's value as PostgreSQL text input; null is SQL NULL. */
    @FunctionalInterface
    public interface TextValue<T> extends Serializable {
        String of(T row);
    }

    /** The values of the primary key's columns, in {@link #keyColumns} order (equal keys, equal lists). */
    @FunctionalInterface
    public interface Key<T> extends Serializable {
        List<Object> of(T row);
    }

    /** The row's version: an upsert never replaces a row of a higher one. */
    @FunctionalInterface
    public interface Version<T> extends Serializable {
        long of(T row);
    }

    final String table;
    final List<String> keyColumns;
    final List<Column<T>> columns;
    final Key<T> key;
    final Version<T> version;
    private final String rowSql;
    private final String batchSql;

    public UpsertTable(String table, List<String> keyColumns, List<Column<T>> columns, String versionColumn, Key<T> key,
            Version<T> version) {
        this.table = table;
        this.version = version;
        this.keyColumns = List.copyOf(keyColumns);
        this.columns = List.copyOf(columns);
        this.key = key;
        String names = columns.stream().map(c -> c.name).collect(Collectors.joining(", "));
        String onConflict = " ON CONFLICT (" + String.join(", ", keyColumns) + ") DO UPDATE SET "
                + columns.stream().filter(c -> !keyColumns.contains(c.name))
                        .map(c -> c.name + " = EXCLUDED." + c.name).collect(Collectors.joining(", "))
                + " WHERE " + table + "." + versionColumn + " < EXCLUDED." + versionColumn;
        this.rowSql = "INSERT INTO " + table + " (" + names + ") VALUES ("
                + columns.stream().map(c -> c.expression != null ? c.expression : "?::" + c.type)
                        .collect(Collectors.joining(", "))
                + ")" + onConflict;
        List<Column<T>> bound = columns.stream().filter(c -> c.expression == null).toList();
        this.batchSql = "INSERT INTO " + table + " (" + names + ") SELECT "
                + columns.stream().map(c -> c.expression != null ? c.expression : "r." + c.name)
                        .collect(Collectors.joining(", "))
                + " FROM unnest(" + bound.stream().map(c -> "?::" + c.type + "[]").collect(Collectors.joining(", "))
                + ") AS r(" + bound.stream().map(c -> c.name).collect(Collectors.joining(", ")) + ")" + onConflict;
    }

    /** The upsert of one row, bound by {@link #bind}. */
    public String upsertSql() {
        return rowSql;
    }

    /** The upsert of a batch as one statement, bound by {@link #bindArrays}. */
    public String arraySql() {
        return batchSql;
    }

    /** Sets the parameters of {@link #upsertSql} from a row. */
    public void bind(PreparedStatement statement, T row) throws SQLException {
        int i = 1;
        for (Column<T> c : columns) {
            if (c.expression == null) {
                statement.setString(i++, c.value.of(row));
            }
        }
    }

    /** Sets the parameters of {@link #arraySql} from a batch of rows: one text array per column. */
    public void bindArrays(Connection connection, PreparedStatement statement, List<T> rows) throws SQLException {
        int i = 1;
        for (Column<T> c : columns) {
            if (c.expression != null) {
                continue;
            }
            String[] values = new String[rows.size()];
            for (int r = 0; r < values.length; r++) {
                values[r] = c.value.of(rows.get(r));
            }
            Array array = connection.createArrayOf("text", values);
            statement.setArray(i++, array);
        }
    }

    /** The key as a JSON object of column -> value as text, as billing_quarantine.row_key stores it. */
    ObjectNode keyJson(List<Object> values) {
        ObjectNode json = ROW_JSON.createObjectNode();
        for (int i = 0; i < keyColumns.size(); i++) {
            json.put(keyColumns.get(i), String.valueOf(values.get(i)));
        }
        return json;
    }

    /**
     * The whole row as JSON for billing_quarantine.row_data: column -> the text the upsert sends
     * (money as exact decimal strings), named as the table names them, whatever the Java type.
     */
    ObjectNode rowJson(T row) {
        ObjectNode json = ROW_JSON.createObjectNode();
        for (Column<T> c : columns) {
            if (c.value != null) {
                try {
                    json.put(c.name, c.value.of(row));
                } catch (RuntimeException e) {
                    // the value this column cannot take, e.g. more decimals than numeric(38,18): its reason
                    json.put(c.name, "cannot be written: " + e.getMessage());
                }
            }
        }
        return json;
    }
}
