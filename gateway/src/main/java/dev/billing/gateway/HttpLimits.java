package dev.billing.gateway;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The limits of the JDK's HTTP server, which reads them from system properties once, when the
 * first server starts. The JDK reads a request's line and headers on a handler thread: without a
 * request time limit, a client that sends half a request holds that thread for good, and a few of
 * them stop the gateway. A value already set (for example {@code -Dsun.net.httpserver.maxReqTime=5}
 * in {@code BILLING_JAVA_OPTS}) wins.
 *
 * <p>The JDK counts a request's time from when its connection turns readable, waiting for a free
 * handler thread included: a request queued behind {@code --threads} slow clients for longer than
 * the limit is cut off with them. The limit bounds how long slow clients hold the threads; more
 * threads raise how many it takes.
 */
final class HttpLimits {
    /** The whole request, line, headers and body, must arrive within this many seconds. */
    static final String MAX_REQUEST_TIME = "sun.net.httpserver.maxReqTime";
    /** The whole answer, a streamed one included, must be sent within this many seconds. */
    static final String MAX_RESPONSE_TIME = "sun.net.httpserver.maxRspTime";
    static final String MAX_HEADERS = "sun.net.httpserver.maxReqHeaders";
    static final String MAX_HEADER_BYTES = "sun.net.httpserver.maxReqHeaderSize";
    /** Seconds an idle keep-alive connection is kept. */
    static final String IDLE_INTERVAL = "sun.net.httpserver.idleInterval";
    /**
     * The JDK server writes the headers and the body of an answer separately; without TCP_NODELAY,
     * Nagle's algorithm holds the body back until the client's delayed ACK, some 40 ms per request.
     */
    static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static final Map<String, String> DEFAULTS = defaults();

    private HttpLimits() {}

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(NO_DELAY, "true");
        // 4 MB of body in 10 s is 400 KB/s: any real client; a trickle is cut off
        d.put(MAX_REQUEST_TIME, "10");
        // ten minutes of streaming at the default pace is some 1.2 million tokens
        d.put(MAX_RESPONSE_TIME, "600");
        // an API client sends a dozen headers, a few KB: the JDK's defaults are 200 and 380 KB
        d.put(MAX_HEADERS, "64");
        d.put(MAX_HEADER_BYTES, Integer.toString(32 * 1024));
        d.put(IDLE_INTERVAL, "30");
        return Map.copyOf(d);
    }

    /** The limits in force, for the start-up line. */
    static String describe() {
        return "a request within " + System.getProperty(MAX_REQUEST_TIME) + " s, an answer within "
                + System.getProperty(MAX_RESPONSE_TIME) + " s, at most " + System.getProperty(MAX_HEADERS) + " headers of "
                + System.getProperty(MAX_HEADER_BYTES) + " bytes in all";
    }

    /** Sets each limit not set yet. */
    static void applyDefaults(Properties system) {
        DEFAULTS.forEach(system::putIfAbsent);
    }
}
