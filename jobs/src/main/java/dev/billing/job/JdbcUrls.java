package dev.billing.job;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the tools do to PostgreSQL JDBC URLs: point one at another schema, and hide the secrets it
 * may carry ({@code ?password=}, {@code &sslpassword=}, a {@code //user:password@host} part)
 * before the URL, or any text that quotes it, is printed or logged. The hiding works on whole
 * messages, because drivers and Flyway quote the URL inside their own.
 */
public final class JdbcUrls {
    static final String HIDDEN = "***";
    // a query parameter whose name ends in "password" (password, sslpassword, ...), up to the next
    // parameter or the end of the URL (a quote, space or closing bracket when inside a message)
    private static final Pattern PASSWORD_PARAMETER =
            Pattern.compile("(?i)([?&;][a-z_.-]*password=)[^&;\\s'\")\\]]*");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/:@\\s]+:)[^@/\\s]+@");
    private static final Pattern CURRENT_SCHEMA = Pattern.compile("([?&])currentSchema=[^&]*");

    private JdbcUrls() {}

    /** {@code url} pointed at {@code schema}, keeping its other parameters (TLS and so on). */
    public static String withCurrentSchema(String url, String schema) {
        Matcher m = CURRENT_SCHEMA.matcher(url);
        if (m.find()) {
            return m.replaceFirst(Matcher.quoteReplacement(m.group(1) + "currentSchema=" + schema));
        }
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** {@code text} with every password a JDBC URL in it carries replaced by {@value #HIDDEN}. */
    public static String redacted(String text) {
        if (text == null) {
            return null;
        }
        String noParameters = PASSWORD_PARAMETER.matcher(text).replaceAll("$1" + HIDDEN);
        return USER_INFO_PASSWORD.matcher(noParameters).replaceAll("$1" + HIDDEN + "@");
    }
}
