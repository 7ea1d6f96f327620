package dev.billing.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.http.ApiError;
import dev.billing.gateway.http.GatewayHandler;
import dev.billing.gateway.http.HttpCall;
import dev.billing.gateway.http.HttpLimits;
import dev.billing.gateway.http.JettyServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Server;

/**
 * What answers on the gateway's port before the gateway can build its server (its door waits
 * for PostgreSQL): {@code /health} 503 (for the operator's token {@code {"status": "starting",
 * "waiting_for": [...]}}), every other request 503 with {@code Retry-After: 1} in the OpenAI error
 * shape. Closed just before the gateway's server binds the same port.
 */
final class StartingServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 2;

    private final Server server;

    private StartingServer(Server server) {
        this.server = server;
    }

    static StartingServer start(String host, int port, String operatorToken, Supplier<List<String>> waitingFor)
            throws IOException {
        OperatorToken operator = new OperatorToken(operatorToken);
        GatewayHandler routes = new GatewayHandler(HttpLimits.DEFAULTS, Runnable::run);
        Server server = JettyServers.create("gateway-starting", host, port, THREADS, HttpLimits.DEFAULTS, routes);
        routes.route("/", call -> answer(call, operator, waitingFor.get()));
        try {
            server.start();
        } catch (Exception e) {
            throw new IOException("cannot listen on " + host + ":" + port, e);
        }
        return new StartingServer(server);
    }

    private static void answer(HttpCall call, OperatorToken operator, List<String> waitingFor) {
        if (call.path().equals(HealthHandler.PATH)) {
            if (!operator.presentedBy(call)) {
                call.json(503, HealthHandler.readiness(false));
                return;
            }
            ObjectNode json = JSON.createObjectNode().put("status", "starting");
            waitingFor.forEach(json.putArray("waiting_for")::add);
            try {
                call.json(503, JSON.writeValueAsBytes(json));
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        call.setHeader("Retry-After", "1");
        // what it waits for is the operator's business (it may name hosts and errors)
        call.json(503, new ApiError(503, "server_error", "service_unavailable", null,
                "The gateway is starting; retry in a moment.").body());
    }

    int port() {
        return JettyServers.port(server);
    }

    /** {@code http://host:port/}: the gateway's address, before and after this closes. */
    URI baseUri() {
        return URI.create("http://" + JettyServers.host(server) + ":" + port() + "/");
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("the gateway's stand-in did not stop", e);
        }
    }
}
