package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;

/**
 * What answers on the gateway's port before the gateway can build its server (its door waits
 * for PostgreSQL): {@code /health} 503 {@code {"status": "starting", "waiting_for": [...]}}, every
 * other request 503 with {@code Retry-After: 1} in the OpenAI error shape. One thread; closed
 * just before the gateway's server binds the same port.
 */
final class StartingServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;

    private StartingServer(HttpServer server) {
        this.server = server;
    }

    static StartingServer start(String host, int port, Supplier<List<String>> waitingFor) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.createContext("/", exchange -> answer(exchange, waitingFor.get()));
        server.start();
        return new StartingServer(server);
    }

    private static void answer(HttpExchange exchange, List<String> waitingFor) throws IOException {
        try {
            byte[] body;
            if (exchange.getRequestURI().getPath().equals(HealthHandler.PATH)) {
                ObjectNode json = JSON.createObjectNode().put("status", "starting");
                waitingFor.forEach(json.putArray("waiting_for")::add);
                body = JSON.writeValueAsBytes(json);
            } else {
                exchange.getResponseHeaders().set("Retry-After", "1");
                body = new ApiError(503, "server_error", "service_unavailable", null, "The gateway is starting"
                        + " (waiting for " + String.join(" and ", waitingFor) + "); retry in a moment.").body();
            }
            HttpResponses.json(exchange, 503, body);
        } finally {
            exchange.close();
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port/}: the gateway's address, before and after this closes. */
    URI baseUri() {
        return URI.create("http://" + server.getAddress().getHostString() + ":" + port() + "/");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
