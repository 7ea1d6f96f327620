package dev.billing.gateway.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.Authenticator;
import dev.billing.gateway.http.ApiError;
import dev.billing.gateway.http.Callers;
import dev.billing.gateway.http.Endpoint;
import dev.billing.gateway.http.HttpCall;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} behind a key, in the OpenAI shape: the
 * models this gateway serves, each of which has a price on the billing job's rate card.
 */
public final class ModelsHandler implements Endpoint {
    public static final String PATH = "/v1/models";
    static final String OWNER = "system";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Authenticator keys;
    private final List<String> models;
    private final GatewayMetrics metrics;

    public ModelsHandler(Authenticator keys, List<String> models, GatewayMetrics metrics) {
        this.keys = keys;
        this.models = List.copyOf(models);
        this.metrics = metrics;
    }

    @Override
    public void serve(HttpCall call) {
        try {
            call.json(200, JSON.writeValueAsBytes(answer(call)));
        } catch (ApiError e) {
            metrics.rejected.incrementAndGet();
            if (e.status == 405) {
                call.setHeader("Allow", "GET");
            }
            call.json(e.status, e.body());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode answer(HttpCall call) throws ApiError {
        if (!"GET".equals(call.method())) {
            throw new ApiError(405, "invalid_request_error", "method_not_allowed", null,
                    call.method() + " is not allowed on " + PATH + "; use GET.");
        }
        Callers.of(keys, call);
        String path = call.path();
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
