package dev.billing.cli.reconcile;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Points a PostgreSQL JDBC URL at another schema, keeping its other parameters (TLS and so on). */
final class JdbcUrls {
    private static final Pattern CURRENT_SCHEMA = Pattern.compile("([?&])currentSchema=[^&]*");

    private JdbcUrls() {}

    static String withCurrentSchema(String url, String schema) {
        Matcher m = CURRENT_SCHEMA.matcher(url);
        if (m.find()) {
            return m.replaceFirst(Matcher.quoteReplacement(m.group(1) + "currentSchema=" + schema));
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    static String quoted(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
