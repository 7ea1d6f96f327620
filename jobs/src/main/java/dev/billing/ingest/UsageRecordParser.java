package dev.billing.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.time.Duration;

/** Parses and validates a {@code usage-records} message (schemas/usage-record.schema.json). */
public final class UsageRecordParser implements RecordParser<UsageRecord> {
    private static final long serialVersionUID = 1L;

    private final long maxFutureSkewMs;

    public UsageRecordParser(Duration maxFutureSkew) {
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
    }

    @Override
    public UsageRecord parse(SourceRecord source, long nowMs) throws Rejection {
        ObjectNode json = JsonFields.object(source.value);
        UsageRecord r = new UsageRecord();
        r.requestId = JsonFields.id(json, "request_id");
        r.accountId = JsonFields.id(json, "account_id");
        r.model = JsonFields.id(json, "model");
        JsonNode usage = JsonFields.required(json, "usage");
        if (!usage.isObject()) {
            throw new Rejection(RejectReason.INVALID_FIELD, "'usage' must be an object");
        }
        r.promptTokens = JsonFields.tokens(usage, "prompt_tokens");
        r.completionTokens = JsonFields.tokens(usage, "completion_tokens");
        r.totalTokens = JsonFields.tokens(usage, "total_tokens");
        long sum;
        try {
            sum = Math.addExact(r.promptTokens, r.completionTokens);
        } catch (ArithmeticException e) {
            throw new Rejection(RejectReason.INVALID_FIELD, "prompt_tokens + completion_tokens overflows 64 bits");
        }
        if (sum != r.totalTokens) {
            throw new Rejection(RejectReason.TOKEN_COUNT_MISMATCH, "total_tokens " + r.totalTokens
                    + " != prompt_tokens + completion_tokens " + sum);
        }
        r.completedAtMs = JsonFields.timestamp(json, "completed_at");
        if (r.completedAtMs > nowMs + maxFutureSkewMs) {
            throw new Rejection(RejectReason.FUTURE_TIMESTAMP, "completed_at is more than "
                    + Duration.ofMillis(maxFutureSkewMs) + " ahead of the job's clock");
        }
        r.nodeId = JsonFields.optionalId(json, "node_id");
        r.source = source;
        return r;
    }
}
