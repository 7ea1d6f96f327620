package dev.billing.output;

import java.time.Duration;
import java.util.Properties;

/**
 * The bounds on every wait of a sink's connection, from its write timeout: PostgreSQL cancels a
 * statement, or a wait for a lock, that takes longer (statement_timeout, lock_timeout); the driver
 * gives up on a connect, a login or a silent socket a little later, in case the server cannot even
 * answer. The same parameters in --jdbc-url take precedence (pgjdbc reads the URL last).
 */
final class Timeouts {
    /** A connect that takes this long is not coming: the write is retried on a new one. */
    static final Duration MAX_CONNECT = Duration.ofSeconds(10);
    /** Beyond the statement's own bound: the server's cancel arrives before the socket gives up. */
    static final Duration SOCKET_MARGIN = Duration.ofSeconds(10);

    private Timeouts() {}

    static Properties connectionProperties(Duration writeTimeout) {
        Properties props = new Properties();
        long ms = Math.max(1, writeTimeout.toMillis());
        props.setProperty("options", "-c statement_timeout=" + ms + " -c lock_timeout=" + ms);
        int connect = seconds(writeTimeout.compareTo(MAX_CONNECT) < 0 ? writeTimeout : MAX_CONNECT);
        props.setProperty("connectTimeout", Integer.toString(connect));
        props.setProperty("loginTimeout", Integer.toString(connect));
        props.setProperty("socketTimeout", Integer.toString(seconds(writeTimeout.plus(SOCKET_MARGIN))));
        props.setProperty("tcpKeepAlive", "true");
        return props;
    }

    /** Whole seconds, at least one (pgjdbc's timeouts are in seconds, and 0 means none). */
    static int seconds(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (d.toMillis() + 999) / 1000));
    }
}
