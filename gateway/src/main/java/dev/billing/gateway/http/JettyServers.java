package dev.billing.gateway.http;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The gateway's Jetty servers: one connector, a bounded pool of handler threads, the {@link HttpLimits}. */
public final class JettyServers {
    /** The connector's acceptor and selector threads, which come out of the same pool. */
    private static final int CONNECTOR_THREADS = 2;

    private JettyServers() {}

    /** A server not started yet, with {@code handlerThreads} threads for the handlers. */
    public static Server create(String name, String host, int port, int handlerThreads, HttpLimits limits, Handler handler) {
        QueuedThreadPool threads = new QueuedThreadPool(handlerThreads + CONNECTOR_THREADS,
                Math.min(handlerThreads + CONNECTOR_THREADS, 4));
        threads.setName(name);
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(limits.maxHeaderBytes());
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        // a restarted gateway binds the port its stand-in just left
        connector.setReuseAddress(true);
        server.addConnector(connector);
        server.setHandler(handler);
        server.setErrorHandler(new JsonErrors());
        server.setStopTimeout(0);
        return server;
    }

    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    public static String host(Server server) {
        String host = ((ServerConnector) server.getConnectors()[0]).getHost();
        return host == null ? "0.0.0.0" : host;
    }
}
