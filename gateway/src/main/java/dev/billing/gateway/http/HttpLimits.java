package dev.billing.gateway.http;

import java.time.Duration;

/**
 * What the gateway's HTTP server accepts of a client. Jetty reads request lines and headers on its
 * selector and bodies asynchronously, so a slow client holds a socket and a buffer, never a
 * handler thread; these limits bound how much of each it may hold and for how long.
 *
 * @param idleTimeout a connection on which nothing moves for this long, either way, is closed: a
 *     client trickling its headers or body, or one that stopped reading its answer, is dropped
 * @param maxHeaderBytes request line and headers, in bytes (431 beyond)
 * @param maxHeaders number of request headers (431 beyond)
 * @param maxBodyBytes the largest request body of any endpoint (413 beyond); endpoints allow less
 */
public record HttpLimits(Duration idleTimeout, int maxHeaderBytes, int maxHeaders, int maxBodyBytes) {
    /** 30 s of silence; an API client's dozen headers in a few KB; a 4 MB chat request. */
    public static final HttpLimits DEFAULTS = new HttpLimits(Duration.ofSeconds(30), 32 * 1024, 64, 4 << 20);

    public HttpLimits {
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("the idle timeout must be positive");
        }
        if (maxHeaderBytes < 1024 || maxHeaders < 8 || maxBodyBytes < 1) {
            throw new IllegalArgumentException("at least 1 KB and 8 headers, and a positive body size");
        }
    }

    public HttpLimits withIdleTimeout(Duration timeout) {
        return new HttpLimits(timeout, maxHeaderBytes, maxHeaders, maxBodyBytes);
    }

    /** The limits in force, for the start-up line. */
    public String describe() {
        return "connections idle for " + idleTimeout.toMillis() + " ms are closed; at most " + maxHeaders + " headers of "
                + maxHeaderBytes + " bytes in all and a body of " + maxBodyBytes + " bytes";
    }
}
