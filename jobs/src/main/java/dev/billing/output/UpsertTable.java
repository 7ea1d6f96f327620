package dev.billing.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * How rows of one table are written: the upsert statement, how a row binds to it, and the row's
 * primary key (rows with equal keys replace each other in a batch: each row holds whole totals).
 * {@link PostgresSinks} defines one per table, so a new column is a change in one place.
 */
public final class UpsertTable<T> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Quarantined rows keep money exact: a decimal as a string, never a JSON number. */
    private static final ObjectMapper ROW_JSON = new ObjectMapper()
            .registerModule(new SimpleModule().addSerializer(BigDecimal.class, new BigDecimalAsPlainString()));

    /** Sets the statement's parameters from a row. */
    @FunctionalInterface
    public interface Binder<T> extends Serializable {
        void bind(PreparedStatement statement, T row) throws SQLException;
    }

    /** The values of the primary key's columns, in {@link #keyColumns} order (equal keys, equal lists). */
    @FunctionalInterface
    public interface Key<T> extends Serializable {
        List<Object> of(T row);
    }

    final String table;
    final List<String> keyColumns;
    final String upsertSql;
    final Binder<T> binder;
    final Key<T> key;

    public UpsertTable(String table, List<String> keyColumns, String upsertSql, Binder<T> binder, Key<T> key) {
        this.table = table;
        this.keyColumns = List.copyOf(keyColumns);
        this.upsertSql = upsertSql;
        this.binder = binder;
        this.key = key;
    }

    /** The key as a JSON object of column -> value as text, as billing_quarantine.row_key stores it. */
    ObjectNode keyJson(List<Object> values) {
        ObjectNode json = ROW_JSON.createObjectNode();
        for (int i = 0; i < keyColumns.size(); i++) {
            json.put(keyColumns.get(i), String.valueOf(values.get(i)));
        }
        return json;
    }

    /** The whole row as JSON (its public fields), money as decimal strings, for billing_quarantine.row_data. */
    ObjectNode rowJson(T row) {
        return ROW_JSON.valueToTree(row);
    }

    private static final class BigDecimalAsPlainString extends StdSerializer<BigDecimal> {
        private static final long serialVersionUID = 1L;

        BigDecimalAsPlainString() {
            super(BigDecimal.class);
        }

        @Override
        public void serialize(BigDecimal value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toPlainString());
        }
    }
}
