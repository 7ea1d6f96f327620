package dev.billing.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} behind a key, in the OpenAI shape: the
 * models this gateway serves, each of which has a price on the billing job's rate card.
 */
final class ModelsHandler implements HttpHandler {
    static final String PATH = "/v1/models";
    static final String OWNER = "system";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Authenticator keys;
    private final List<String> models;
    private final GatewayMetrics metrics;

    ModelsHandler(Authenticator keys, List<String> models, GatewayMetrics metrics) {
        this.keys = keys;
        this.models = List.copyOf(models);
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            HttpResponses.json(exchange, 200, JSON.writeValueAsBytes(answer(exchange)));
        } catch (ApiError e) {
            metrics.rejected.incrementAndGet();
            if (e.status == 405) {
                exchange.getResponseHeaders().set("Allow", "GET");
            }
            HttpResponses.json(exchange, e.status, e.body());
        } finally {
            exchange.close();
        }
    }

    private ObjectNode answer(HttpExchange exchange) throws ApiError {
        if (!"GET".equals(exchange.getRequestMethod())) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    exchange.getRequestMethod() + " is not allowed on " + PATH + "; use GET.");
        }
        Callers.of(keys, exchange);
        String path = exchange.getRequestURI().getPath();
        if (path.equals(PATH) || path.equals(PATH + "/")) {
            ObjectNode list = JSON.createObjectNode().put("object", "list");
            ArrayNode data = list.putArray("data");
            models.forEach(id -> data.add(model(id)));
            return list;
        }
        String id = path.startsWith(PATH + "/") ? path.substring(PATH.length() + 1) : "";
        if (!models.contains(id)) {
            throw new ApiError(404, "invalid_request_error", "model_not_found", "model", "The model '" + id
                    + "' does not exist. Available models: " + String.join(", ", models));
        }
        return model(id);
    }

    private static ObjectNode model(String id) {
        return JSON.createObjectNode()
                .put("id", id)
                .put("object", "model")
                .put("created", PricedModels.PRICED_SINCE.getEpochSecond())
                .put("owned_by", OWNER);
    }
}
