package dev.billing.bench.workload;

import dev.billing.model.RateCard;
import dev.billing.ingest.DefaultRateCard;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The messages of the benchmark, as inference nodes and the payments service write them
 * (schemas/usage-record and schemas/account-event). Built with a StringBuilder rather than a JSON
 * library so the generator can write a few hundred thousand a second beside the job on 2 cores.
 */
public final class UsageMessages {
    /** Credits each benchmark account buys up front: no throughput-phase record cuts one off. */
    public static final String PURCHASE_USD = "1000.00";
    /** The model whose list price (0.25 $/1M both ways) makes {@link #oneDollar} cost exactly $1.00. */
    public static final String DOLLAR_MODEL = "deepseek-v3";

    private final List<String> models;
    private final ZipfSampler accounts;
    private final String runId;
    private long cachedMs = Long.MIN_VALUE;
    private String cachedIso;

    public UsageMessages(int accountCount, double skew, String runId) {
        this.models = DefaultRateCard.load().stream().map((RateCard c) -> c.model).distinct().toList();
        this.accounts = new ZipfSampler(accountCount, skew);
        this.runId = runId;
    }

    public static String accountId(int rank) {
        return "acct-" + rank;
    }

    public List<String> models() {
        return models;
    }

    /** A usage record of a Zipf-drawn account, one of the four models, a typical request's tokens. */
    public Usage usage(long sequence, SplittableRandom random, long completedAtMs) {
        return usage("", sequence, random, completedAtMs);
    }

    /**
     * The same, with request ids of their own: {@code batch} keeps a later batch's ids apart from
     * the pre-loaded ones, so that no record of it is dropped as a resend.
     */
    public Usage usage(String batch, long sequence, SplittableRandom random, long completedAtMs) {
        String account = accountId(accounts.next(random));
        String model = models.get(random.nextInt(models.size()));
        long prompt = 20 + random.nextInt(3000);
        long completion = 10 + random.nextInt(800);
        return new Usage(account, model, usageJson("r-" + runId + "-" + batch + sequence, account, model, prompt, completion,
                completedAtMs, "node-" + (sequence & 15)));
    }

    /** A record of {@code account} that costs exactly $1.00: 2 M prompt and 2 M completion tokens at 0.25 $/1M. */
    public byte[] oneDollar(String requestId, String account, long completedAtMs) {
        return usageJson(requestId, account, DOLLAR_MODEL, 2_000_000, 2_000_000, completedAtMs, "node-cutoff");
    }

    public byte[] purchase(int rank, long occurredAtMs) {
        return ("{\"event_id\":\"ev-" + runId + "-" + rank + "\",\"account_id\":\"" + accountId(rank)
                + "\",\"type\":\"CREDITS_PURCHASED\",\"occurred_at\":\"" + iso(occurredAtMs)
                + "\",\"amount_usd\":\"" + PURCHASE_USD + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private byte[] usageJson(String requestId, String account, String model, long prompt, long completion,
            long completedAtMs, String node) {
        StringBuilder b = new StringBuilder(240);
        b.append("{\"request_id\":\"").append(requestId)
                .append("\",\"account_id\":\"").append(account)
                .append("\",\"model\":\"").append(model)
                .append("\",\"usage\":{\"prompt_tokens\":").append(prompt)
                .append(",\"completion_tokens\":").append(completion)
                .append(",\"total_tokens\":").append(prompt + completion)
                .append("},\"completed_at\":\"").append(iso(completedAtMs))
                .append("\",\"node_id\":\"").append(node).append("\"}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String iso(long ms) {
        if (ms != cachedMs) {
            cachedMs = ms;
            cachedIso = Instant.ofEpochMilli(ms).toString();
        }
        return cachedIso;
    }

    /** A generated usage record: its key fields and its bytes. */
    public record Usage(String account, String model, byte[] json) {}
}
