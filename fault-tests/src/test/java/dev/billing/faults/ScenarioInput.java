package dev.billing.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.ingest.BadInputCorpus;
import dev.billing.it.LedgerModel;
import dev.billing.it.TestMessage;
import dev.billing.it.UsageJson;
import dev.billing.job.JobOptions;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * Everything the simulated world sends in one fault scenario, and its ground truth. Inference
 * nodes stream usage (a tenth are resends of earlier records); interleaved with it, each at a
 * seeded random position, payments buy credits (one purchase resent), support adjusts credits,
 * customers change limits (a monthly hard limit that blocks an account, then a raise that
 * unblocks it), the pricing admin publishes rate cards, and a handful of malformed messages arrive
 * on every input topic. The fault hits while all of that streams.
 *
 * <p>Usage and account events are on two topics, so the order in which an account's ledger sees
 * them is not fixed, and after a failover or restore it differs from the first attempt's. The input
 * is built so that everything the test asserts is the same in every interleaving:
 * <ul>
 *   <li>money: records are priced by {@code completed_at} with cards that cannot race them (below),
 *       purchases and adjustments only add to credits, and no volume discounts change, so rollups,
 *       balances and month spend are sums that do not depend on order;
 *   <li>final status: a function of the final balance, month spend and limit, all order-free (the
 *       statuses in between are not: whether the limit account blocks before or after a given
 *       record, or a heavy account runs dry before its purchase arrives, depends on the
 *       interleaving, so only the final status is asserted);
 *   <li>spend alerts: every {@code LIMITS_SET} of an account repeats its thresholds, which are set
 *       before the stream, so each threshold fires iff the final month spend reaches it;
 *   <li>low-balance alerts: fire once per top-up when the balance falls below a tenth of it; an
 *       account that gets a streamed purchase is either already below the free credits' floor
 *       before the stream (its warm-up record) or too light to ever get near a floor, gets one
 *       purchase and no credit added after it, so the balance after the purchase only falls and
 *       the alert fires iff the final balance is below the floor; negative adjustments go only to
 *       accounts without purchases, where the final balance is the lowest one ever.
 * </ul>
 * Rate cards: a card must reach the job before the records it prices, which nothing guarantees
 * across topics, let alone across a failover. So the cards that change prices inside the window of
 * the streamed records (a list price change, a new model, an account override, each from a time
 * inside the window) go out before the stream, and the test waits until the job has them in a
 * completed checkpoint (so no restore can replay the stream ahead of them); the cards that stream
 * during the fault take effect only from the end of the window ({@link #cardsFromMs}), after every
 * streamed record, and price only the tail: records sent once the job has those cards in a
 * completed checkpoint. The constructor proves all of this for its seed by feeding the model in
 * both extreme orders (every account's events before its usage, and after it) and requiring the
 * same rollups, balances, alerts, final statuses and rejections: any interleaving lies between
 * the two, and each alert condition is monotone in it.
 */
final class ScenarioInput {
    static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};
    /** A model with a list price only from a time inside the window: its earlier records are dead-lettered. */
    static final String NEW_MODEL = "mistral-small";
    private static final String THRESHOLDS = "0.10,1.00,3.00";
    private static final long HOUR = 3_600_000L;

    /** One message and what it does to a model of the ledger; returns the dead-letter reason it must get, or null. */
    record Message(TestMessage message, Function<LedgerModel, String> effect) {}

    private final ObjectMapper json = new ObjectMapper();
    private final Random random;
    private final long seed;
    private final long nowMs;
    private final JobOptions topics;
    private final Map<String, String> thresholds = new HashMap<>();
    private final Map<List<Message>, List<TestMessage>> sendable = new IdentityHashMap<>();
    private int eventSeq;

    /** Rate cards, limits and warm-up records, sent first: the job has them in a completed checkpoint before the stream. */
    final List<Message> setup = new ArrayList<>();
    private final List<Message> setupEvents = new ArrayList<>();
    private final List<Message> setupUsage = new ArrayList<>();
    /** The rate cards among the stream: in a completed checkpoint before the tail, which they price. */
    final List<Message> streamedCards = new ArrayList<>();
    /** Sent at a steady pace while the fault hits. */
    final List<Message> stream = new ArrayList<>();
    /** Sent once the job has the streamed rate cards in a completed checkpoint: records priced by those cards. */
    final List<Message> tail = new ArrayList<>();
    /** The streamed records are in [fromMs, cardsFromMs); the streamed rate cards take effect at cardsFromMs. */
    final long fromMs;
    final long cardsFromMs;

    /** Everything, in send order. */
    final LedgerModel model;
    /** The setup and the stream, without the tail: what the job holds before the tail is sent. */
    final LedgerModel afterStream;

    ScenarioInput(long seed, JobOptions topics, int accounts, int records, long nowMs) {
        this.random = new Random(seed);
        this.seed = seed;
        this.nowMs = nowMs;
        this.topics = topics;
        long monthStart = LocalDate.ofInstant(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC).withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        fromMs = Math.max(monthStart, nowMs - 3 * HOUR);
        cardsFromMs = nowMs - 60_000;

        setup(accounts);
        setup.addAll(setupEvents);
        setup.addAll(setupUsage);
        List<Message> usage = usage(accounts, records);
        List<Message> during = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        streamedEvents(during, positions, usage.size());
        streamedCards(during, positions, usage.size());
        badInput(during, positions, usage.size());
        interleave(usage, during, positions);
        tail(accounts);

        model = new LedgerModel(nowMs);
        for (List<Message> phase : List.of(setup, stream, tail)) {
            List<TestMessage> out = new ArrayList<>();
            for (Message m : phase) {
                TestMessage t = m.message();
                out.add(new TestMessage(t.topic(), t.key(), t.value(), m.effect().apply(model)));
            }
            sendable.put(phase, out);
        }
        afterStream = feed(setup, stream);
        proveOrderIndependent();
    }

    int size() {
        return stream.size();
    }

    /** The messages of a phase, each with the dead-letter reason it must get (as the model decides it), or none. */
    List<TestMessage> messages(List<Message> phase) {
        return sendable.get(phase);
    }

    // ---------------------------------------------------------------- setup, before the stream

    private void setup(int accounts) {
        long span = cardsFromMs - fromMs;
        // prices that change inside the window of the streamed records: sent and committed before them
        card(setupEvents, null, "deepseek-v3", "0.27", "0.31", fromMs + span / 4 + (long) (random.nextDouble() * span / 2));
        card(setupEvents, null, NEW_MODEL, "0.10", "0.30", fromMs + span / 4 + (long) (random.nextDouble() * span / 2));
        card(setupEvents, account(5), "llama-3.3-70b", "0.123456", "0.654321",
                fromMs + span / 4 + (long) (random.nextDouble() * span / 2));
        for (int i = 0; i < accounts; i += 2) {
            thresholds.put(account(i), THRESHOLDS);
            setupEvents.add(limits(account(i), null));
        }
        // warm-up records: the limit account has spent something before its low limit arrives; the
        // heavy accounts that buy credits during the stream are already below the free credits' floor
        setupUsage.add(usage("warmup-" + seed + "-1", account(1), "llama-3.1-8b", 1_000_000, 0, fromMs));
        setupUsage.add(usage("warmup-" + seed + "-4", account(4), "deepseek-v3", 20_000_000, 0, fromMs));
        setupUsage.add(usage("warmup-" + seed + "-8", account(8), "deepseek-v3", 20_000_000, 0, fromMs));
    }

    // ---------------------------------------------------------------- the stream

    /** Usage records in [fromMs, cardsFromMs), a tenth of them resends of earlier ones (the same bytes). */
    private List<Message> usage(int accounts, int count) {
        List<Message> out = new ArrayList<>();
        List<Message> distinct = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (!distinct.isEmpty() && random.nextInt(10) == 0) {
                Message original = distinct.get(random.nextInt(distinct.size()));
                String requestId = requestIdOf(original);
                // billed once; a record the ledger rejected is rejected again, with a dead letter of its own
                out.add(new Message(original.message(), m -> m.rejected().get(requestId)));
                continue;
            }
            int a = random.nextInt(accounts);
            String modelId = random.nextInt(30) == 0 ? NEW_MODEL : MODELS[random.nextInt(MODELS.length)];
            long prompt = a % 4 == 0 ? 100_000 + random.nextInt(300_000) : 100 + random.nextInt(20_000);
            long completion = random.nextInt(5_000);
            long completedAt = fromMs + (long) (random.nextDouble() * (cardsFromMs - fromMs));
            Message m = usage("req-" + seed + "-" + i, account(a), modelId, prompt, completion, completedAt);
            distinct.add(m);
            out.add(m);
        }
        return out;
    }

    private void streamedEvents(List<Message> during, List<Long> positions, int span) {
        // a monthly hard limit at the limit account's warm-up spend blocks it whenever it arrives; a
        // later raise unblocks it (the two are on one partition, so the job sees them in this order)
        String low = afterSetup().finalStatuses().get(account(1)).monthSpend().toPlainString();
        long[] pair = orderedPositions(span);
        add(during, positions, limits(account(1), low), pair[0]);
        add(during, positions, limits(account(1), "500.00"), pair[1]);
        add(during, positions, limits(account(12), "2.00"), randomPosition(span));

        add(during, positions, purchase(account(4), amount()), randomPosition(span));
        Message purchase = purchase(account(8), amount());
        pair = orderedPositions(span);
        add(during, positions, purchase, pair[0]);
        add(during, positions, new Message(purchase.message(), m -> null), pair[1]); // the payment system retries: credited once
        add(during, positions, purchase(account(7), amount()), randomPosition(span));
        add(during, positions, purchase(account(9), amount()), randomPosition(span));

        add(during, positions, adjustment(account(0), "-0.40"), randomPosition(span));
        add(during, positions, adjustment(account(3), "-1.25"), randomPosition(span));
        add(during, positions, adjustment(account(5), "0.000001"), randomPosition(span));
    }

    /** Cards published ahead of their effective_from (as the pricing admin should): they change no streamed record. */
    private void streamedCards(List<Message> during, List<Long> positions, int span) {
        List<Message> cards = new ArrayList<>();
        card(cards, null, "llama-3.1-8b", "0.06", "0.07", cardsFromMs);
        card(cards, account(2), "qwen3.5-35b-a3b", "0.111111", "0.222222", cardsFromMs);
        for (Message c : cards) {
            add(during, positions, c, randomPosition(span));
        }
        streamedCards.addAll(cards);
    }

    /** A handful of corpus messages on usage and events, malformed rate cards, and a record from the future. */
    private void badInput(List<Message> during, List<Long> positions, int span) {
        List<BadInputCorpus.Entry> corpus = new ArrayList<>(BadInputCorpus.entries());
        Collections.shuffle(corpus, random);
        int usage = 0;
        int events = 0;
        for (BadInputCorpus.Entry e : corpus) {
            if (e.input().equals("rates")) {
                continue; // the compacted rate-card topic gets its malformed cards below, each with a key of its own
            }
            boolean isUsage = e.input().equals("usage");
            if (isUsage ? usage++ < 4 : events++ < 3) {
                bad(during, positions, new TestMessage(isUsage ? topics.usageTopic : topics.eventsTopic, "corpus",
                        e.value(), e.reason()), span);
            }
        }
        // the rate-card topic is compacted: every message needs a key of its own
        bad(during, positions, TestMessage.bad(topics.ratesTopic, "bad/" + seed + "/1", "{\"model\":\"x\","
                + "\"input_usd_per_1m\":0.1,\"output_usd_per_1m\":\"0.1\",\"effective_from\":\"2026-01-01T00:00:00Z\"}",
                "INVALID_FIELD"), span);
        bad(during, positions, TestMessage.bad(topics.ratesTopic, "bad/" + seed + "/2", "{\"model\":\"x\","
                + "\"input_usd_per_1m\":\"0.0000001\",\"output_usd_per_1m\":\"0.1\",\"effective_from\":\"2026-01-01T00:00:00Z\"}",
                "INVALID_AMOUNT"), span);
        bad(during, positions, TestMessage.bad(topics.ratesTopic, "bad/" + seed + "/3", "{\"model\":\"x\","
                + "\"output_usd_per_1m\":\"0.1\",\"effective_from\":\"2026-01-01T00:00:00Z\"}", "MISSING_FIELD"), span);
        bad(during, positions, TestMessage.bad(topics.ratesTopic, "bad/" + seed + "/4", "{\"model\": \"x\", \"inp",
                "UNPARSEABLE_JSON"), span);
        ObjectNode future = usageJson("future-" + seed, account(3), "llama-3.1-8b", 10, 5, nowMs + 48 * HOUR);
        bad(during, positions, TestMessage.bad(topics.usageTopic, account(3), future.toString(), "FUTURE_TIMESTAMP"), span);
    }

    private void bad(List<Message> during, List<Long> positions, TestMessage m, int span) {
        String reason = m.expectedReason();
        add(during, positions, new Message(m, model -> reason), randomPosition(span));
    }

    /** Puts each message of {@code during} before the usage record at its position; ties keep their order. */
    private void interleave(List<Message> usage, List<Message> during, List<Long> positions) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < during.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(positions::get));
        int next = 0;
        for (int u = 0; u <= usage.size(); u++) {
            while (next < order.size() && positions.get(order.get(next)) <= u) {
                stream.add(during.get(order.get(next++)));
            }
            if (u < usage.size()) {
                stream.add(usage.get(u));
            }
        }
    }

    // ---------------------------------------------------------------- the tail, after the stream

    /** Records from cardsFromMs on: priced by the streamed cards, so they show those cards survived the fault. */
    private void tail(int accounts) {
        long span = nowMs - 1_000 - cardsFromMs;
        for (int i = 0; i < 24; i++) {
            String account = i < 6 ? account(2) : account(random.nextInt(accounts));
            String modelId = i < 6 ? "qwen3.5-35b-a3b" : i < 16 ? "llama-3.1-8b" : MODELS[random.nextInt(MODELS.length)];
            tail.add(usage("tail-" + seed + "-" + i, account, modelId, 1_000 + random.nextInt(50_000), random.nextInt(5_000),
                    cardsFromMs + (long) (random.nextDouble() * span)));
        }
    }

    // ---------------------------------------------------------------- the model, in several orders

    private LedgerModel afterSetup() {
        return feed(setupEvents, setupUsage);
    }

    @SafeVarargs
    private LedgerModel feed(List<Message>... phases) {
        LedgerModel m = new LedgerModel(nowMs);
        for (List<Message> phase : phases) {
            feedInto(m, phase);
        }
        return m;
    }

    private static void feedInto(LedgerModel m, List<Message> phase) {
        for (Message message : phase) {
            message.effect().apply(m);
        }
    }

    /**
     * Every interleaving of an account's events and usage lies between "all its events first" and
     * "all its usage first"; if the two give the same ground truth, so does the order the job happens
     * to see, before and after the fault. What the test enforces is kept: the setup before the
     * stream, the streamed rate cards before the tail. Inside the setup the warm-up records may
     * overtake the limits and cards (they are priced before any card takes effect); the tail is
     * usage like the stream, so the streamed events may come after it.
     */
    private void proveOrderIndependent() {
        List<Message> records = stream.stream().filter(m -> m.message().topic().equals(topics.usageTopic)).toList();
        List<Message> events = stream.stream().filter(m -> !m.message().topic().equals(topics.usageTopic)
                && !streamedCards.contains(m)).toList();
        LedgerModel eventsFirst = feed(setupEvents, setupUsage, streamedCards, events, records, tail);
        LedgerModel usageFirst = feed(setupUsage, setupEvents, streamedCards, records, tail, events);
        for (LedgerModel other : List.of(eventsFirst, usageFirst)) {
            check("rollups", model.rows(), other.rows());
            check("balances", model.balances(), other.balances());
            check("alerts", new java.util.TreeSet<>(model.alertIds()), new java.util.TreeSet<>(other.alertIds()));
            check("final statuses", model.finalStatuses(), other.finalStatuses());
            check("rejected records", model.rejected(), other.rejected());
        }
    }

    private void check(String what, Object inSendOrder, Object inOtherOrder) {
        if (!Objects.equals(inSendOrder, inOtherOrder)) {
            throw new IllegalStateException("seed " + seed + ": the scenario's " + what + " depend on the order the job"
                    + " sees usage and events in; the test input must not: " + inSendOrder + " vs " + inOtherOrder);
        }
    }

    // ---------------------------------------------------------------- messages

    private Message usage(String requestId, String account, String modelId, long prompt, long completion, long completedAt) {
        ObjectNode n = usageJson(requestId, account, modelId, prompt, completion, completedAt);
        return new Message(TestMessage.valid(topics.usageTopic, account, n.toString()),
                m -> m.usage(requestId, account, modelId, prompt, completion, completedAt));
    }

    private ObjectNode usageJson(String requestId, String account, String modelId, long prompt, long completion,
            long completedAt) {
        return UsageJson.of(requestId, account, modelId, prompt, completion, completedAt, "node-" + random.nextInt(4));
    }

    private static String requestIdOf(Message m) {
        String text = new String(m.message().value(), StandardCharsets.UTF_8);
        int start = text.indexOf("\"request_id\":\"") + "\"request_id\":\"".length();
        return text.substring(start, text.indexOf('"', start));
    }

    /** LIMITS_SET with the account's thresholds (set before the stream, never changed by it). */
    private Message limits(String account, String limit) {
        ObjectNode n = event(account, "LIMITS_SET").put("monthly_hard_limit_usd", limit);
        String[] ts = thresholds.containsKey(account) ? thresholds.get(account).split(",") : new String[0];
        for (String t : ts) {
            n.withArray("alert_thresholds_usd").add(t);
        }
        return new Message(TestMessage.valid(topics.eventsTopic, account, n.toString()), m -> {
            m.limits(account, limit, ts);
            return null;
        });
    }

    private Message purchase(String account, String amount) {
        ObjectNode n = event(account, "CREDITS_PURCHASED").put("amount_usd", amount);
        return new Message(TestMessage.valid(topics.eventsTopic, account, n.toString()), m -> {
            m.purchase(account, amount);
            return null;
        });
    }

    private Message adjustment(String account, String amount) {
        ObjectNode n = event(account, "CREDITS_ADJUSTED").put("amount_usd", amount);
        return new Message(TestMessage.valid(topics.eventsTopic, account, n.toString()), m -> {
            m.adjust(account, amount);
            return null;
        });
    }

    private ObjectNode event(String account, String type) {
        return json.createObjectNode().put("event_id", "evt-" + seed + "-" + (++eventSeq)).put("account_id", account)
                .put("type", type).put("occurred_at", Instant.ofEpochMilli(nowMs).toString());
    }

    private void card(List<Message> into, String account, String modelId, String in, String out, long from) {
        ObjectNode n = json.createObjectNode().put("model", modelId).put("input_usd_per_1m", in)
                .put("output_usd_per_1m", out).put("effective_from", Instant.ofEpochMilli(from).toString());
        if (account != null) {
            n.put("account_id", account);
        }
        String key = (account == null ? "*" : account) + "/" + modelId + "/" + from;
        into.add(new Message(TestMessage.valid(topics.ratesTopic, key, n.toString()), m -> {
            if (account == null) {
                m.listPrice(modelId, in, out, from);
            } else {
                m.override(account, modelId, in, out, from);
            }
            return null;
        }));
    }

    /** $5.00 to $25.99: at least the minimum purchase. */
    private String amount() {
        return new BigDecimal(5 + random.nextInt(21) + "." + String.format("%02d", random.nextInt(100))).toPlainString();
    }

    private long randomPosition(int span) {
        return random.nextInt(span + 1);
    }

    private long[] orderedPositions(int span) {
        long a = randomPosition(span);
        long b = randomPosition(span);
        return new long[] {Math.min(a, b), Math.max(a, b)};
    }

    private static void add(List<Message> during, List<Long> positions, Message m, long position) {
        during.add(m);
        positions.add(position);
    }

    static String account(int i) {
        return String.format("acct-%03d", i);
    }
}
