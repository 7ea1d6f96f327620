package dev.billing.embedded;

import java.util.regex.Pattern;

/**
 * A PostgreSQL schema name the tools create, drop and point URLs at. Only plain lower-case names
 * are accepted: they need no quoting in a URL's currentSchema or in psql, and nothing a user types
 * can reach the SQL around them. Quoted all the same where spliced into SQL.
 */
public final class SchemaName {
    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private SchemaName() {}

    /** {@code name} if it is a plain lower-case name, else an IllegalArgumentException that says what is allowed. */
    public static String checked(String name) {
        if (name == null || !PLAIN.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a plain schema name: use lower-case letters,"
                    + " digits and _ (at most 63, not starting with a digit), e.g. billing_demo");
        }
        return name;
    }

    /** {@code name}, checked, as a quoted SQL identifier. */
    public static String quoted(String name) {
        return "\"" + checked(name) + "\"";
    }
}
