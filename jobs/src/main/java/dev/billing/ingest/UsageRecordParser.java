package dev.billing.ingest;

import dev.billing.model.RejectReason;
import dev.billing.model.SourceRecord;
import dev.billing.model.UsageRecord;
import java.time.Duration;

/**
 * Parses and validates a {@code usage-records} message (schemas/usage-record.schema.json), with a
 * streaming read ({@link UsageRecordReader}): this runs once per billed record.
 */
public final class UsageRecordParser implements RecordParser<UsageRecord> {
    private static final long serialVersionUID = 1L;

    private final long maxFutureSkewMs;

    public UsageRecordParser(Duration maxFutureSkew) {
        this.maxFutureSkewMs = maxFutureSkew.toMillis();
    }

    @Override
    public UsageRecord parse(SourceRecord source, long nowMs) throws Rejection {
        UsageRecordReader json = UsageRecordReader.read(source.value);
        UsageRecord r = new UsageRecord();
        r.requestId = json.requestId();
        r.accountId = json.accountId();
        r.model = json.model();
        r.promptTokens = json.promptTokens();
        r.completionTokens = json.completionTokens();
        r.totalTokens = json.totalTokens();
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
        r.completedAtMs = json.completedAtMs();
        if (r.completedAtMs > nowMs + maxFutureSkewMs) {
            throw new Rejection(RejectReason.FUTURE_TIMESTAMP, "completed_at is more than "
                    + Duration.ofMillis(maxFutureSkewMs) + " ahead of the job's clock");
        }
        r.nodeId = json.nodeId();
        r.source = source;
        return r;
    }
}
