package dev.billing.cli.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** Prints query results as an aligned table, CSV or JSON; money stays an exact decimal string. */
public enum ResultFormat {
    TABLE, CSV, JSON;

    /** Prints every row of {@code rs}; returns how many there were. */
    public int print(ResultSet rs, PrintStream out) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> header = new ArrayList<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            header.add(md.getColumnLabel(i));
        }
        List<List<String>> rows = new ArrayList<>();
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= header.size(); i++) {
                Object v = rs.getObject(i);
                row.add(v == null ? "" : v instanceof BigDecimal d ? plain(d) : v.toString());
            }
            rows.add(row);
        }
        switch (this) {
            case CSV -> {
                out.println(String.join(",", header));
                rows.forEach(r -> out.println(String.join(",", r.stream().map(ResultFormat::csv).toList())));
            }
            case JSON -> {
                ObjectMapper mapper = new ObjectMapper();
                ArrayNode array = mapper.createArrayNode();
                for (List<String> r : rows) {
                    ObjectNode o = array.addObject();
                    for (int i = 0; i < header.size(); i++) {
                        o.put(header.get(i), r.get(i));
                    }
                }
                out.println(array.toPrettyString());
            }
            default -> table(header, rows, out);
        }
        return rows.size();
    }

    private static void table(List<String> header, List<List<String>> rows, PrintStream out) {
        int[] width = new int[header.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = header.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], r.get(i).length());
            }
        }
        StringBuilder format = new StringBuilder();
        for (int w : width) {
            format.append("%-").append(w).append("s  ");
        }
        out.println(String.format(format.toString(), header.toArray()).stripTrailing());
        rows.forEach(r -> out.println(String.format(format.toString(), r.toArray()).stripTrailing()));
        out.println("(" + rows.size() + " rows)");
    }

    /** Exact, without trailing zeros beyond cents. */
    private static String plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return (s.scale() < 2 && s.scale() >= 0 ? s.setScale(2) : s.scale() < 0 ? s.setScale(0) : s).toPlainString();
    }

    private static String csv(String v) {
        return v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
    }
}
