package dev.billing.gateway.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.billing.gateway.http.ApiError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the gateway reads of an OpenAI-style chat completion request: the model, the text of the
 * messages (to count prompt tokens) and the completion limit ({@code max_tokens}, or its newer
 * name {@code max_completion_tokens}) and whether to stream the answer ({@code stream},
 * {@code stream_options.include_usage}). Other fields are accepted and ignored.
 *
 * @param maxTokens the limit on completion tokens, or null when the request sets none
 * @param stream whether the answer goes as server-sent events
 * @param includeUsage whether a streamed answer ends with a chunk carrying {@code usage}
 */
record ChatRequest(String model, List<String> messageTexts, Long maxTokens, boolean stream, boolean includeUsage) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ChatRequest parse(byte[] body, String defaultModel) throws ApiError {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            throw ApiError.invalidRequest(null, "We could not parse the JSON body of your request.");
        }
        if (json == null || !json.isObject()) {
            throw ApiError.invalidRequest(null, "The body of your request must be a JSON object.");
        }
        JsonNode model = json.get("model");
        if (model != null && !model.isNull() && (!model.isTextual() || model.asText().isBlank())) {
            throw ApiError.invalidRequest("model", "'model' must be a model id such as " + defaultModel + ".");
        }
        boolean stream = flag(json, "stream");
        JsonNode options = json.get("stream_options");
        boolean includeUsage = false;
        if (options != null && !options.isNull()) {
            if (!stream) {
                throw ApiError.invalidRequest("stream_options",
                        "'stream_options' is only allowed when 'stream' is true.");
            }
            if (!options.isObject()) {
                throw ApiError.invalidRequest("stream_options", "'stream_options' must be an object.");
            }
            includeUsage = flag(options, "include_usage");
        }
        return new ChatRequest(model == null || model.isNull() ? defaultModel : model.asText(), texts(json.get("messages")),
                maxTokens(json), stream, includeUsage);
    }

    private static boolean flag(JsonNode parent, String field) throws ApiError {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be true or false.");
        }
        return n.booleanValue();
    }

    private static List<String> texts(JsonNode messages) throws ApiError {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalidRequest("messages", "'messages' must be a non-empty array of messages.");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode m : messages) {
            JsonNode content = m.get("content");
            if (!m.isObject() || content == null) {
                throw ApiError.invalidRequest("messages", "each message must be an object with 'role' and 'content'.");
            }
            if (content.isTextual()) {
                out.add(content.asText());
            } else if (content.isArray()) {
                // content parts: only text parts carry prompt tokens in this simulation
                StringBuilder text = new StringBuilder();
                for (JsonNode part : content) {
                    text.append(part.path("text").asText(""));
                }
                out.add(text.toString());
            } else if (content.isNull()) {
                out.add("");
            } else {
                throw ApiError.invalidRequest("messages", "a message's 'content' must be a string or an array of parts.");
            }
        }
        return out;
    }

    private static Long maxTokens(JsonNode json) throws ApiError {
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode n = json.get(field);
            if (n == null || n.isNull()) {
                continue;
            }
            if (!n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 1) {
                throw ApiError.invalidRequest(field, "'" + field + "' must be a positive integer.");
            }
            return n.asLong();
        }
        return null;
    }
}
