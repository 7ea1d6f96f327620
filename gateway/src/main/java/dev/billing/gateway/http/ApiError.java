package dev.billing.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;

/** A refused request, answered in the OpenAI error shape {@code {"error": {message, type, param, code}}}. */
public final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    public final int status;
    public final String type;
    public final String code;
    public final String param;

    public ApiError(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    public static ApiError invalidRequest(String param, String message) {
        return new ApiError(400, "invalid_request_error", null, param, message);
    }

    public byte[] body() {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
