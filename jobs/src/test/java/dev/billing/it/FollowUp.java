package dev.billing.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Input sent after a {@link Dataset} has been billed, recorded in its {@link LedgerModel}: per account
 * one purchase and one usage record in an hour the dataset already billed. What the job writes
 * for them is the account's whole history plus them, so it shows that the job still knows that
 * history (its state), not only that the old rows are still in PostgreSQL.
 */
public final class FollowUp {
    private static final ObjectMapper JSON = new ObjectMapper();

    private FollowUp() {}

    public static List<TestMessage> purchasesAndUsage(Dataset data, long t0, int accounts) {
        List<TestMessage> out = new ArrayList<>();
        long completedAt = t0 + 6 * LedgerModel.HOUR + 30 * 60_000L;
        for (int i = 0; i < accounts; i++) {
            String account = Dataset.account(i);
            BigDecimal amount = new BigDecimal("7.77").add(BigDecimal.valueOf(i, 2));
            String eventId = "follow-up-" + i;
            data.model.purchase(account, amount.toPlainString());
            out.add(TestMessage.valid(Dataset.EVENTS, account, JSON.createObjectNode()
                    .put("event_id", eventId).put("account_id", account).put("type", "CREDITS_PURCHASED")
                    .put("occurred_at", Instant.ofEpochMilli(t0).toString())
                    .put("amount_usd", amount.toPlainString()).toString()));

            String requestId = "follow-up-req-" + i;
            String model = Dataset.MODELS[i % Dataset.MODELS.length];
            long prompt = 1_000 + 17L * i;
            long completion = 200 + 3L * i;
            data.model.usage(requestId, account, model, prompt, completion, completedAt);
            ObjectNode usage = JSON.createObjectNode()
                    .put("request_id", requestId).put("account_id", account).put("model", model)
                    .put("completed_at", Instant.ofEpochMilli(completedAt).toString()).put("node_id", "node-follow-up");
            usage.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                    .put("total_tokens", prompt + completion);
            out.add(TestMessage.valid(Dataset.USAGE, account, usage.toString()));
        }
        return out;
    }
}
