package dev.billing.upgrade;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.it.LedgerModel;
import dev.billing.it.UsageJson;
import dev.billing.model.SourceRecord;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The inputs behind a committed savepoint, and those the restore test sends after it: fixed ids,
 * amounts and times (the evening of 29 November 2026), so the savepoint and the expectations are
 * reproducible. The state it leaves covers each kind the ledger keeps: balances with purchases and
 * the free credit, monthly spend, a monthly limit with thresholds (its account blocked, a month-start
 * timer pending), volume discounts, an enterprise rate card in broadcast state, open hourly
 * rollups of two models, and the request ids remembered for dedupe.
 */
final class SavepointDataset {
    static final long T0 = Instant.parse("2026-11-29T22:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    final List<SourceRecord> usage = new ArrayList<>();
    final List<SourceRecord> events = new ArrayList<>();
    final List<SourceRecord> rates = new ArrayList<>();
    /** (account, model, hour) of every usage record, to send one more to each after the restore. */
    final Set<String> rollupKeys = new LinkedHashSet<>();
    /** The evening the dataset happens on: {@link #T0}, or another for a savepoint written in another month. */
    final long t0;
    private long offset;

    private SavepointDataset(long t0) {
        this.t0 = t0;
    }

    /** What the writer runs before the savepoint; {@code model} is told the same. */
    static SavepointDataset beforeSavepoint(LedgerModel model) {
        return beforeSavepoint(model, T0);
    }

    /**
     * The same dataset on another day {@code t0}. A release's own savepoint is written by that
     * release's code on its clock, which must be in the dataset's month: how a release counts a
     * record of a month its clock has left is a rule of that release (release 0.1 put some in the
     * clock's month), not what a restore test checks.
     */
    static SavepointDataset beforeSavepoint(LedgerModel model, long t0) {
        SavepointDataset d = new SavepointDataset(t0);
        d.rate("acct-override", "deepseek-v3", "0.200001", "0.199999", t0 - 40L * 24 * 60 * MINUTE);
        model.override("acct-override", "deepseek-v3", "0.200001", "0.199999", t0 - 40L * 24 * 60 * MINUTE);
        // read after the good card, on the same input: its dead letter tells the writer the cards are in
        d.rates.add(d.record("rate-cards", "bad", "not a rate card", t0));

        d.event("evt-paid-1", "acct-paid", "CREDITS_PURCHASED", t0 + MINUTE, n -> n.put("amount_usd", "10.00"));
        model.purchase("acct-paid", "10.00");
        d.event("evt-override-1", "acct-override", "CREDITS_PURCHASED", t0 + MINUTE, n -> n.put("amount_usd", "5.00"));
        model.purchase("acct-override", "5.00");
        d.event("evt-limit-1", "acct-limit", "LIMITS_SET", t0 + MINUTE, n -> {
            n.put("monthly_hard_limit_usd", "0.50");
            n.putArray("alert_thresholds_usd").add("0.25").add("0.40");
        });
        model.limits("acct-limit", "0.50", "0.25", "0.40");
        d.event("evt-discount-1", "acct-discount", "VOLUME_DISCOUNTS_SET", t0 + MINUTE, n -> n.putArray("volume_discounts")
                .add(JSON.createObjectNode().put("monthly_spend_above_usd", "0.40").put("discount_percent", "10")));
        model.discounts("acct-discount", List.of(new LedgerModel.Tier(new BigDecimal("0.40"), new BigDecimal("10"))));
        d.event("evt-discount-2", "acct-discount", "CREDITS_PURCHASED", t0 + MINUTE, n -> n.put("amount_usd", "20.00"));
        model.purchase("acct-discount", "20.00");

        for (int i = 0; i < 20; i++) {
            d.usage(model, "req-paid-" + i, "acct-paid", "llama-3.3-70b", 1_000 + i, 300 + 7 * i, t0 + (2 + i) * MINUTE);
        }
        for (int i = 0; i < 10; i++) {
            d.usage(model, "req-paid-late-" + i, "acct-paid", "deepseek-v3", 4_000, 1_234 + i, t0 + (62 + i) * MINUTE);
        }
        // 24 M tokens at $0.25 per million: $6.00 of the $5.00 free credit
        d.usage(model, "req-free-0", "acct-free", "deepseek-v3", 20_000_000, 4_000_000, t0 + 5 * MINUTE);
        // $0.60 at $0.20 per million: over the $0.50 monthly limit
        d.usage(model, "req-limit-0", "acct-limit", "llama-3.3-70b", 2_000_000, 1_000_000, t0 + 6 * MINUTE);
        // the discounted and the rate-card accounts get their usage after the restore only: on
        // separate inputs, usage could overtake the event that sets their price
        return d;
    }

    /**
     * What the restore test sends: one more record into every (account, model, hour) the savepoint
     * holds, the first usage of the rate-card account (priced by the card in broadcast state) and of
     * the discounted account (by its restored tiers), a purchase that lifts the exhausted account,
     * and a resend of a remembered request id.
     */
    static SavepointDataset afterRestore(SavepointDataset before, LedgerModel model) {
        long t0 = before.t0;
        SavepointDataset d = new SavepointDataset(t0);
        d.offset = 1_000;
        int n = 0;
        for (String key : before.rollupKeys) {
            String[] k = key.split("\\|");
            long hour = Long.parseLong(k[2]);
            d.usage(model, "req-after-" + (n++), k[0], k[1], 3_333, 777, hour + 59 * MINUTE);
        }
        d.usage(model, "req-override-0", "acct-override", "deepseek-v3", 1_000_000, 1_000_000, t0 + 30 * MINUTE);
        // $0.225 of list spend each: the fourth crosses the $0.40 tier restored from the savepoint
        for (int i = 0; i < 4; i++) {
            d.usage(model, "req-discount-" + i, "acct-discount", "qwen3.5-35b-a3b", 1_000_000, 500_000, t0 + (7 + i) * MINUTE);
        }
        d.event("evt-free-1", "acct-free", "CREDITS_PURCHASED", t0 + 90 * MINUTE, e -> e.put("amount_usd", "10.00"));
        model.purchase("acct-free", "10.00");
        // the same request again, byte for byte: remembered in the savepoint, so billed once
        SourceRecord first = before.usage.get(3);
        d.usage.add(new SourceRecord(first.topic, first.partition, d.offset++, first.timestampMs, first.key, first.value));
        return d;
    }

    private void usage(LedgerModel model, String id, String account, String llm, long prompt, long completion, long at) {
        ObjectNode n = UsageJson.of(id, account, llm, prompt, completion, at, "node-1");
        usage.add(record("usage-records", account, n.toString(), at));
        model.usage(account, llm, prompt, completion, at);
        rollupKeys.add(account + "|" + llm + "|" + Math.floorDiv(at, 3_600_000L) * 3_600_000L);
    }

    private void event(String id, String account, String type, long at, java.util.function.Consumer<ObjectNode> fields) {
        ObjectNode n = JSON.createObjectNode().put("event_id", id).put("account_id", account).put("type", type)
                .put("occurred_at", Instant.ofEpochMilli(at).toString());
        fields.accept(n);
        events.add(record("account-events", account, n.toString(), at));
    }

    private void rate(String account, String llm, String in, String out, long from) {
        ObjectNode n = JSON.createObjectNode().put("model", llm).put("input_usd_per_1m", in).put("output_usd_per_1m", out)
                .put("effective_from", Instant.ofEpochMilli(from).toString()).put("account_id", account);
        rates.add(record("rate-cards", account + "/" + llm, n.toString(), from));
    }

    private SourceRecord record(String topic, String key, String value, long timestampMs) {
        return new SourceRecord(topic, 0, offset++, timestampMs, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }
}
