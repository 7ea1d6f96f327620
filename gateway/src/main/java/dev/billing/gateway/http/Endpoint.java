package dev.billing.gateway.http;

/** What answers the requests under one path. It may block (a database, the usage journal), never on the client. */
public interface Endpoint {
    /** Answers {@code call}, now or later; every path ends it. */
    void serve(HttpCall call);
}
