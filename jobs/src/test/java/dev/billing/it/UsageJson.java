package dev.billing.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** A valid usage-records message, as the tests' inference nodes send it. */
public final class UsageJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private UsageJson() {}

    /** {@code nodeId} may be null: the field is optional. */
    public static ObjectNode of(String requestId, String account, String model, long prompt, long completion,
            long completedAt, String nodeId) {
        ObjectNode n = JSON.createObjectNode()
                .put("request_id", requestId)
                .put("account_id", account)
                .put("model", model)
                .put("completed_at", Instant.ofEpochMilli(completedAt).toString());
        if (nodeId != null) {
            n.put("node_id", nodeId);
        }
        n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
        return n;
    }
}
