package dev.billing.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Months of input for a few accounts, each message at its own time (usage every few hours,
 * purchases every couple of weeks, resends minutes after their original, one restamped), fed to a
 * {@link LedgerModel} in time order: what the ledger must hold after it has applied the input in
 * event-time order. Settings (limits, volume discounts, auto top-ups) come right after each
 * account opens. An account's purchases keep {@code quietMs} of its usage on either side, so
 * that reading the two topics a bounded drift apart cannot change on which side of a purchase a
 * charge falls (and with it an auto top-up): the runs must match the model exactly.
 */
public final class History {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};

    /** A message with its time, to put the history in time order. */
    private record Timed(long atMs, int seq, TestMessage message, Runnable toModel) {}

    public final LedgerModel model;
    private final List<Timed> timed = new ArrayList<>();
    private final Random random;
    private int seq;

    public History(long seed, long startMs, long endMs, int accounts, long quietMs, long nowMs) {
        this.model = new LedgerModel(nowMs);
        this.random = new Random(seed);
        for (int i = 0; i < accounts; i++) {
            account(String.format("hist-%02d", i), i, startMs + i * 60_000L, endMs, quietMs);
        }
        timed.sort(Comparator.comparingLong(Timed::atMs).thenComparingInt(Timed::seq));
        timed.forEach(t -> t.toModel().run());
    }

    /** Every message in time order, the two topics interleaved as producers would have sent them. */
    public List<TestMessage> messages() {
        return timed.stream().map(Timed::message).toList();
    }

    /** The same, on the input topics of {@code options}. */
    public List<TestMessage> messages(dev.billing.job.JobOptions options) {
        return messages(options, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** The messages of times in [{@code fromMs}, {@code untilMs}), in time order, on the input topics of {@code options}. */
    public List<TestMessage> messages(dev.billing.job.JobOptions options, long fromMs, long untilMs) {
        java.util.Map<String, String> topics = java.util.Map.of(Dataset.USAGE, options.usageTopic, Dataset.EVENTS,
                options.eventsTopic);
        return timed.stream().filter(t -> t.atMs() >= fromMs && t.atMs() < untilMs).map(Timed::message)
                .map(m -> new TestMessage(topics.get(m.topic()), m.key(), m.value(), m.expectedReason())).toList();
    }

    private void account(String id, int i, long openMs, long endMs, long quietMs) {
        event(openMs, id, "ACCOUNT_OPENED", n -> {}, () -> model.open(id));
        long settingsMs = openMs + 10 * 60_000L;
        if (i % 3 == 0) {
            event(settingsMs, id, "LIMITS_SET", n -> n.put("monthly_hard_limit_usd", "3.00")
                    .putArray("alert_thresholds_usd").add("1.00").add("2.50"), () -> model.limits(id, "3.00", "1.00", "2.50"));
        } else if (i % 3 == 1) {
            event(settingsMs, id, "VOLUME_DISCOUNTS_SET", n -> n.putArray("volume_discounts").addObject()
                    .put("monthly_spend_above_usd", "1.50").put("discount_percent", "12.5"),
                    () -> model.discounts(id, List.of(new LedgerModel.Tier(new BigDecimal("1.50"), new BigDecimal("12.5")))));
        }
        if (i % 2 == 0) {
            event(settingsMs + 60_000L, id, "AUTO_TOPUP_SET", n -> n.put("below_usd", "5.00").put("amount_usd", "6.00"),
                    () -> model.autoTopUp(id, "5.00", "6.00"));
        }
        boolean heavy = i % 4 == 0;
        // purchases: every 10-25 days, each with a usage-free stretch around it
        List<Long> purchases = new ArrayList<>();
        for (long at = openMs + days(3 + random.nextInt(10)); at < endMs - quietMs; at += days(10 + random.nextInt(15))) {
            purchases.add(at);
            // heavy accounts spend more than they buy: they fall below their top-up level and run dry
            String amount = (5 + random.nextInt(heavy ? 5 : 15)) + "." + String.format("%02d", random.nextInt(100));
            event(at, id, "CREDITS_PURCHASED", n -> n.put("amount_usd", amount), () -> model.purchase(id, amount));
        }
        long usageFrom = settingsMs + quietMs + 2 * 60_000L;
        for (long at = usageFrom; at < endMs; at += 2 * LedgerModel.HOUR + random.nextInt(4 * 3_600_000)) {
            long t = at;
            if (purchases.stream().anyMatch(p -> Math.abs(p - t) <= quietMs)) {
                continue;
            }
            usage(id, t, heavy);
        }
    }

    private void usage(String account, long atMs, boolean heavy) {
        String requestId = "h-" + (++seq) + "-" + Long.toHexString(random.nextLong());
        String model = MODELS[random.nextInt(MODELS.length)];
        long prompt = (heavy ? 300_000 : 50_000) + random.nextInt(heavy ? 900_000 : 350_000);
        long completion = random.nextInt(heavy ? 60_000 : 20_000);
        ObjectNode json = UsageJson.of(requestId, account, model, prompt, completion, atMs, "node-" + random.nextInt(4));
        TestMessage m = TestMessage.valid(Dataset.USAGE, account, json.toString());
        add(atMs, m, () -> this.model.usage(requestId, account, model, prompt, completion, atMs));
        int resend = random.nextInt(25);
        if (resend == 0) { // a node retrying minutes later: the same bytes
            add(atMs + 60_000L * (1 + random.nextInt(20)), m, () -> this.model.usage(requestId, account, model, prompt,
                    completion, atMs));
        } else if (resend == 1) { // a node that stamps its retry anew: a later completed_at, the same request id
            long later = atMs + 60_000L * (1 + random.nextInt(20));
            add(later, TestMessage.valid(Dataset.USAGE, account,
                    UsageJson.of(requestId, account, model, prompt, completion, later, "node-retry").toString()),
                    () -> this.model.usage(requestId, account, model, prompt, completion, later));
        }
    }

    private void event(long atMs, String account, String type, java.util.function.Consumer<ObjectNode> fields,
            Runnable toModel) {
        ObjectNode n = JSON.createObjectNode().put("event_id", "he-" + (++seq)).put("account_id", account)
                .put("type", type).put("occurred_at", Instant.ofEpochMilli(atMs).toString());
        fields.accept(n);
        add(atMs, TestMessage.valid(Dataset.EVENTS, account, n.toString()), toModel);
    }

    private void add(long atMs, TestMessage message, Runnable toModel) {
        timed.add(new Timed(atMs, ++seq, message, toModel));
    }

    private static long days(int n) {
        return n * 24 * LedgerModel.HOUR;
    }
}
