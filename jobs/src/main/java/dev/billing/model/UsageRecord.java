package dev.billing.model;

/** One completed inference request, as emitted by an inference node to {@code usage-records}. */
public class UsageRecord {
    public String requestId;
    public String accountId;
    public String model;
    public long promptTokens;
    public long completionTokens;
    public long totalTokens;
    public long completedAtMs;
    public String nodeId;
    public SourceRecord source;

    public UsageRecord() {}

    public UsageRecord(String requestId, String accountId, String model, long promptTokens,
            long completionTokens, long completedAtMs) {
        this.requestId = requestId;
        this.accountId = accountId;
        this.model = model;
        this.promptTokens = promptTokens;
        this.completionTokens = completionTokens;
        this.totalTokens = promptTokens + completionTokens;
        this.completedAtMs = completedAtMs;
    }
}
