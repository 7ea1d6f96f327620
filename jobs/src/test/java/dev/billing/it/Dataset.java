package dev.billing.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.billing.ingest.BadInputCorpus;
import dev.billing.job.JobOptions;

/**
 * Generated input for the pipeline test, in three phases so the order each account's ledger
 * sees is known: (1) rate cards and account openings, then usage with duplicates, disorder and bad input; (2) credits;
 * (3) more usage, resends of phase-1 records, a record past the late horizon. Every valid message
 * is also fed to a {@link LedgerModel}.
 */
public final class Dataset {
    static final String USAGE = "usage-records";
    static final String EVENTS = "account-events";
    static final String RATES = "rate-cards";
    static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b", "mistral-small"};

    private final ObjectMapper json = new ObjectMapper();
    private final Random random;
    private final long t0;
    private final int accounts;
    /** Every valid message, in generation order: each phase's outcome does not depend on the order within it. */
    public final LedgerModel model = new LedgerModel(System.currentTimeMillis());
    public final LedgerModel afterPhase1;
    public final LedgerModel afterPhase2;
    public final List<TestMessage> rates = new ArrayList<>();
    public final List<TestMessage> opens = new ArrayList<>();
    public final List<TestMessage> phase1 = new ArrayList<>();
    public final List<TestMessage> phase2 = new ArrayList<>();
    public final List<TestMessage> phase3 = new ArrayList<>();
    private final List<TestMessage> sentUsage = new ArrayList<>();
    private int requestSeq;
    private int eventSeq;

    public Dataset(long seed, long t0, int accounts, int phase1Usage, int phase3Usage) {
        this.random = new Random(seed);
        this.t0 = t0;
        this.accounts = accounts;
        rateCards();
        for (int i = 0; i < phase1Usage; i++) {
            phase1.add(usage(account(random.nextInt(accounts)), t0 + (long) (random.nextDouble() * 6 * LedgerModel.HOUR)));
        }
        for (int i = 0; i < accounts; i += 3) {
            opens.add(event(account(i), "ACCOUNT_OPENED", null)); // sent before any usage
        }
        for (int i = 1; i < accounts; i += 5) {
            phase1.add(event(account(i), "ACCOUNT_OPENED", null)); // races the account's usage
        }
        phase1.addAll(legalButOdd(t0));
        resendSome(phase1, phase1Usage / 20);
        Collections.shuffle(phase1, random);
        phase1.addAll(badInput());
        afterPhase1 = model.copy();
        credits();
        afterPhase2 = model.copy();
        for (int i = 0; i < phase3Usage; i++) {
            phase3.add(usage(account(random.nextInt(accounts)), t0 + (long) (random.nextDouble() * 7 * LedgerModel.HOUR)));
        }
        resendSome(phase3, phase3Usage / 10);
        Collections.shuffle(phase3, random);
        // far behind account 1's newest record (late horizon 7 days): not billed, dead-lettered
        phase3.add(TestMessage.bad(USAGE, account(1), usageJson("late-1", account(1), "llama-3.1-8b", 10, 10,
                t0 - 9 * 24 * LedgerModel.HOUR).toString(), "TOO_LATE"));
    }

    /**
     * Sends the dataset to a running job as a fleet of producers would: prices and openings first,
     * then each phase once the job has billed the one before. Returns the dead letters expected.
     */
    public Map<KafkaTestClient.Sent, String> sendAndAwait(PipelineFixture fixture, JobOptions options) throws Exception {
        KafkaTestClient client = fixture.client;
        Map<KafkaTestClient.Sent, String> deadLetters = new HashMap<>();
        deadLetters.putAll(client.send(rates));
        deadLetters.putAll(client.send(opens));
        // prices and openings must be in the ledger before the usage they concern
        PipelineFixture.awaitTrue("rate cards and openings consumed",
                () -> client.groupCaughtUp(options.groupId, options.ratesTopic)
                        && client.groupCaughtUp(options.groupId, options.eventsTopic));

        deadLetters.putAll(client.send(phase1));
        PipelineFixture.awaitEqual("phase 1 rollups", afterPhase1::rows, () -> fixture.usageHourly(options));
        PipelineFixture.awaitEqual("phase 1 balances", afterPhase1::balances, () -> fixture.balances(options));

        deadLetters.putAll(client.send(phase2));
        PipelineFixture.awaitEqual("phase 2 balances", afterPhase2::balances, () -> fixture.balances(options));

        deadLetters.putAll(client.send(phase3));
        PipelineFixture.awaitEqual("final rollups", model::rows, () -> fixture.usageHourly(options));
        PipelineFixture.awaitEqual("final balances", model::balances, () -> fixture.balances(options));
        return deadLetters;
    }

    /**
     * The model's status transitions of every account, once it is checked that the seed drew a
     * dataset that tests them: accounts run dry, and credits bring some of them back.
     */
    public Map<String, List<String>> statusChangesOfAStrongDataset() {
        Map<String, List<String>> changes = model.statusChanges();
        long cutoffs = changes.values().stream().flatMap(List::stream).filter("BLOCKED"::equals).count();
        long restores = changes.values().stream().filter(h -> h.contains("BLOCKED")
                && h.lastIndexOf("ACTIVE") > h.indexOf("BLOCKED")).count();
        System.out.println("dataset: " + changes.size() + " accounts, " + cutoffs + " cutoffs, "
                + restores + " accounts restored by credits");
        assertThat(cutoffs).as("the dataset must drive accounts to zero").isGreaterThanOrEqualTo(5);
        assertThat(restores).as("the dataset must bring blocked accounts back").isGreaterThanOrEqualTo(2);
        return changes;
    }

    static String account(int i) {
        return String.format("acct-%03d", i);
    }

    /** One price line: a list price when account is null. */
    private record Price(String account, String model, long fromMs, String inPer1m, String outPer1m) {}

    private void rateCards() {
        Price[] cards = {
            new Price(null, "mistral-small", t0 - 24 * LedgerModel.HOUR, "0.10", "0.30"),
            new Price(null, "llama-3.3-70b", t0 + 3 * LedgerModel.HOUR, "0.18", "0.22"),
            new Price(account(7), "deepseek-v3", t0 - 24 * LedgerModel.HOUR, "0.200001", "0.199999"),
        };
        for (Price p : cards) {
            ObjectNode n = json.createObjectNode()
                    .put("model", p.model())
                    .put("input_usd_per_1m", p.inPer1m())
                    .put("output_usd_per_1m", p.outPer1m())
                    .put("effective_from", Instant.ofEpochMilli(p.fromMs()).toString());
            if (p.account() != null) {
                n.put("account_id", p.account());
            }
            rates.add(TestMessage.valid(RATES, (p.account() == null ? "*" : p.account()) + "/" + p.model()
                    + "/" + p.fromMs(), n.toString()));
            if (p.account() == null) {
                model.listPrice(p.model(), p.inPer1m(), p.outPer1m(), p.fromMs());
            } else {
                model.override(p.account(), p.model(), p.inPer1m(), p.outPer1m(), p.fromMs());
            }
        }
        rates.add(TestMessage.bad(RATES, "bad/1", "{\"model\":\"x\",\"input_usd_per_1m\":0.1,"
                + "\"output_usd_per_1m\":\"0.1\",\"effective_from\":\"2026-01-01T00:00:00Z\"}", "INVALID_FIELD"));
        rates.add(TestMessage.bad(RATES, "bad/2", "{\"model\":\"x\",\"input_usd_per_1m\":\"0.0000001\","
                + "\"output_usd_per_1m\":\"0.1\",\"effective_from\":\"2026-01-01T00:00:00Z\"}", "INVALID_AMOUNT"));
    }

    /** Heavy accounts (every fourth) send large prompts and run dry within phase 1. */
    private TestMessage usage(String account, long completedAt) {
        boolean heavy = Integer.parseInt(account.substring(5)) % 4 == 0;
        String model = MODELS[random.nextInt(MODELS.length)];
        long prompt = heavy ? 300_000 + random.nextInt(400_000) : 10 + random.nextInt(4_000);
        long completion = heavy ? 10_000 + random.nextInt(50_000) : random.nextInt(2_000);
        String requestId = "req-" + (++requestSeq) + "-" + Long.toHexString(random.nextLong());
        this.model.usage(requestId, account, model, prompt, completion, completedAt);
        TestMessage m = TestMessage.valid(USAGE, account, usageJson(requestId, account, model, prompt, completion,
                completedAt).toString());
        sentUsage.add(m);
        return m;
    }

    private ObjectNode usageJson(String requestId, String account, String model, long prompt, long completion,
            long completedAt) {
        return UsageJson.of(requestId, account, model, prompt, completion, completedAt, "node-" + random.nextInt(8));
    }

    /** Valid records that look hostile: billed like any other, and harmless to PostgreSQL. */
    private List<TestMessage> legalButOdd(long t0) {
        List<TestMessage> out = new ArrayList<>();
        for (String account : List.of("账户-🙂", "x'); DROP TABLE usage_hourly;--")) {
            String id = "odd-" + (++requestSeq);
            model.usage(id, account, "llama-3.1-8b", 123, 45, t0 + 60_000);
            out.add(TestMessage.valid(USAGE, account, usageJson(id, account, "llama-3.1-8b", 123, 45, t0 + 60_000)
                    .put("unknown_field", "ignored").toString()));
        }
        return out;
    }

    /** An inference node retrying: the same bytes again, billed once. */
    private void resendSome(List<TestMessage> into, int count) {
        for (int i = 0; i < count; i++) {
            into.add(sentUsage.get(random.nextInt(sentUsage.size())));
        }
    }

    private TestMessage event(String account, String type, BigDecimal amount) {
        String eventId = "evt-" + (++eventSeq);
        ObjectNode n = json.createObjectNode()
                .put("event_id", eventId)
                .put("account_id", account)
                .put("type", type)
                .put("occurred_at", Instant.ofEpochMilli(t0).toString());
        if (type.equals("CREDITS_PURCHASED")) {
            model.purchase(account, amount.toPlainString());
        } else if (type.equals("CREDITS_ADJUSTED")) {
            model.adjust(account, amount.toPlainString());
        } else {
            model.open(account);
        }
        if (amount != null) {
            n.put("amount_usd", amount.toPlainString());
        }
        return TestMessage.valid(EVENTS, account, n.toString());
    }

    private void credits() {
        for (int i = 0; i < accounts; i += 2) {
            BigDecimal amount = new BigDecimal(5 + random.nextInt(20) + "." + String.format("%02d", random.nextInt(100)));
            TestMessage purchase = event(account(i), "CREDITS_PURCHASED", amount);
            phase2.add(purchase);
            if (i % 8 == 0) {
                phase2.add(purchase); // the payment system retries: credited once
            }
        }
        phase2.add(event(account(3), "CREDITS_ADJUSTED", new BigDecimal("-1.25")));
        phase2.add(event(account(5), "CREDITS_ADJUSTED", new BigDecimal("0.000001")));
        phase2.add(event(account(accounts + 1), "ACCOUNT_OPENED", null)); // opened, never used
        phase2.add(TestMessage.bad(EVENTS, account(9), "{\"event_id\":\"e-small\",\"account_id\":\"acct-009\","
                + "\"type\":\"CREDITS_PURCHASED\",\"occurred_at\":\"2026-01-01T00:00:00Z\",\"amount_usd\":\"4.99\"}",
                "PURCHASE_BELOW_MINIMUM"));
    }

    /** One message per kind of bad input; none of them may bill or open an account. */
    private List<TestMessage> badInput() {
        String ghost = "acct-ghost";
        String at = Instant.ofEpochMilli(t0 + LedgerModel.HOUR).toString();
        String future = Instant.ofEpochMilli(System.currentTimeMillis() + 48 * LedgerModel.HOUR).toString();
        List<TestMessage> bad = new ArrayList<>();
        bad.add(TestMessage.bad(USAGE, ghost, "{\"request_id\": \"b1\", \"account_id\": ", "UNPARSEABLE_JSON"));
        bad.add(TestMessage.bad(USAGE, ghost, "", "UNPARSEABLE_JSON"));
        bad.add(TestMessage.bad(USAGE, ghost, "[1,2,3]", "UNPARSEABLE_JSON"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b2", "llama-3.1-8b", "10", "5", "15", null), "MISSING_FIELD"));
        bad.add(TestMessage.bad(USAGE, ghost, "{\"request_id\":\"b3\",\"account_id\":\"" + ghost
                + "\",\"model\":\"llama-3.1-8b\",\"completed_at\":\"" + at + "\"}", "MISSING_FIELD"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b4", "llama-3.1-8b", "-10", "5", "-5", at), "NEGATIVE_TOKENS"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b5", "llama-3.1-8b", "10", "5", "16", at), "TOKEN_COUNT_MISMATCH"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b6", "gpt-9", "10", "5", "15", at), "UNKNOWN_MODEL"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b7", "llama-3.1-8b", "\"10\"", "5", "15", at), "INVALID_FIELD"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b8", "llama-3.1-8b", "10", "5", "15", "yesterday"), "INVALID_FIELD"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b9", "llama-3.1-8b", "10", "5", "15", future), "FUTURE_TIMESTAMP"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "b10", "llama-3.1-8b", "99999999999999999999", "5", "15", at),
                "INVALID_FIELD"));
        bad.add(TestMessage.bad(EVENTS, ghost, "{\"event_id\":\"e1\",\"account_id\":\"" + ghost
                + "\",\"type\":\"ACCOUNT_DELETED\",\"occurred_at\":\"" + at + "\"}", "UNKNOWN_EVENT_TYPE"));
        bad.add(TestMessage.bad(EVENTS, ghost, "{\"event_id\":\"e2\",\"account_id\":\"" + ghost
                + "\",\"type\":\"CREDITS_PURCHASED\",\"occurred_at\":\"" + at + "\",\"amount_usd\":10.5}", "INVALID_FIELD"));
        bad.add(TestMessage.bad(EVENTS, ghost, "{\"event_id\":\"e3\",\"account_id\":\"" + ghost
                + "\",\"type\":\"CREDITS_PURCHASED\",\"occurred_at\":\"" + at + "\"}", "MISSING_FIELD"));
        bad.add(TestMessage.bad(EVENTS, ghost, "not json at all", "UNPARSEABLE_JSON"));
        bad.add(TestMessage.bad(USAGE, null, "{\"request_id\": null}", "MISSING_FIELD"));
        bad.add(TestMessage.bad(USAGE, "", "", "UNPARSEABLE_JSON"));
        bad.add(TestMessage.bad(USAGE, ghost, usage(ghost, "x".repeat(600_000), "llama-3.1-8b", "1", "1", "2", at),
                "INVALID_FIELD"));
        for (BadInputCorpus.Entry e : BadInputCorpus.entries()) {
            String topic = switch (e.input()) {
                case "usage" -> USAGE;
                case "events" -> EVENTS;
                default -> RATES;
            };
            bad.add(new TestMessage(topic, "corpus", e.value(), e.reason()));
        }
        return bad;
    }

    private static String usage(String account, String requestId, String model, String prompt, String completion,
            String total, String completedAt) {
        return "{\"request_id\":\"" + requestId + "\",\"account_id\":\"" + account + "\",\"model\":\"" + model
                + "\",\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + total + "}"
                + (completedAt == null ? "" : ",\"completed_at\":\"" + completedAt + "\"") + "}";
    }
}
