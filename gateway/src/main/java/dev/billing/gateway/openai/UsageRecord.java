package dev.billing.gateway.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * The usage of one served request, as an inference node reports it to {@code usage-records}
 * (schemas/usage-record.schema.json): the billing job prices it and bills it once per
 * {@code request_id}. {@code keyId} is the API key the request was authenticated by, or null.
 */
public record UsageRecord(String requestId, String accountId, String model, long promptTokens, long completionTokens,
        Instant completedAt, String nodeId, String keyId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A record without a key id, as a request authenticated without keys reports. */
    public UsageRecord(String requestId, String accountId, String model, long promptTokens, long completionTokens,
            Instant completedAt, String nodeId) {
        this(requestId, accountId, model, promptTokens, completionTokens, completedAt, nodeId, null);
    }

    public long totalTokens() {
        return promptTokens + completionTokens;
    }

    /** The message value; the key is the account id. */
    public byte[] toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("request_id", requestId);
        json.put("account_id", accountId);
        json.put("model", model);
        json.set("usage", usage());
        json.put("completed_at", completedAt.toString());
        json.put("node_id", nodeId);
        if (keyId != null) {
            // lets an analyst attribute spend to keys; the job ignores it
            json.put("key_id", keyId);
        }
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code usage} object, as the pricing page shows it in every API response. */
    ObjectNode usage() {
        return JSON.createObjectNode()
                .put("prompt_tokens", promptTokens)
                .put("completion_tokens", completionTokens)
                .put("total_tokens", totalTokens());
    }
}
