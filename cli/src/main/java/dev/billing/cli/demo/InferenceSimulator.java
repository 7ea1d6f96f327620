package dev.billing.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.gateway.client.InputProducers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The demo's traffic: API clients calling the reference gateway over HTTP (which serves them,
 * reports their usage and answers 402 once the job cuts them off), a payments system that tops up
 * some accounts a few seconds after their first 402, auto top-up on for a few heavy accounts
 * (the job requests the purchase, {@link dev.billing.gateway.payments.PaymentsSimulator} makes it), and one misbehaving inference node that
 * resends a few records and emits a few malformed ones straight to Kafka, to show deduplication
 * and the dead-letter topic.
 */
final class InferenceSimulator implements AutoCloseable {
    static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};
    private static final long TOP_UP_DELAY_MS = 3_000;
    /** Auto top-up of the demo: below $1.00, buy $5.00 (the minimum purchase). */
    static final String AUTO_TOP_UP_BELOW = "1.00";
    static final String AUTO_TOP_UP_AMOUNT = "5.00";

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore inFlight = new Semaphore(16);
    private final URI gateway;
    private final KafkaProducer<String, byte[]> producer;
    private final String usageTopic;
    private final String eventsTopic;
    private final Random random;
    private final List<String> accounts = new ArrayList<>();
    final List<String> autoTopUpAccounts = new ArrayList<>();
    private final Map<String, String> keys;
    private final Map<String, Long> firstPaymentRequired = new ConcurrentHashMap<>();
    private final java.util.Set<String> flakyRequestIds = new java.util.HashSet<>();
    private long sequence;

    final AtomicLong served = new AtomicLong();
    final AtomicLong paymentRequired = new AtomicLong();
    final AtomicLong resent = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong topUps = new AtomicLong();

    InferenceSimulator(URI gateway, String bootstrapServers, String usageTopic, String eventsTopic, int accountCount,
            long seed, Map<String, String> keys) {
        this.keys = keys;
        this.gateway = gateway;
        Properties p = InputProducers.properties(bootstrapServers);
        p.put("linger.ms", "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.usageTopic = usageTopic;
        this.eventsTopic = eventsTopic;
        this.random = new Random(seed);
        for (String account : accountIds(accountCount)) {
            accounts.add(account);
            event(account, "ACCOUNT_OPENED", null);
            int index = accounts.size() - 1;
            if (heavy(index) && index % 2 == 1) { // heavy, and not among those who buy by hand
                autoTopUpAccounts.add(account);
                autoTopUp(account);
            }
        }
    }

    /** The simulated accounts: acct-01, acct-02, ... */
    static List<String> accountIds(int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            ids.add(String.format("acct-%02d", i));
        }
        return ids;
    }

    /** One API request from a random account, through the gateway; now and then a misbehaving node's record. */
    void request() throws InterruptedException {
        String account = accounts.get(random.nextInt(accounts.size()));
        topUpIfDue(account);
        int roll = random.nextInt(1000);
        if (roll < 10) {
            producer.send(new ProducerRecord<>(usageTopic, account, malformedRecord(account)));
            malformed.incrementAndGet();
            return;
        }
        if (roll < 30) {
            producer.send(new ProducerRecord<>(usageTopic, account, resendOf(account)));
            resent.incrementAndGet();
            return;
        }
        inFlight.acquire();
        http.sendAsync(chatRequest(account), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            inFlight.release();
            if (response != null && response.statusCode() == 200) {
                served.incrementAndGet();
            } else if (response != null && response.statusCode() == 402) {
                paymentRequired.incrementAndGet();
                firstPaymentRequired.putIfAbsent(account, System.currentTimeMillis());
            }
        });
    }

    /** What the job must bill: every request the gateway served, and each distinct record of the flaky node once. */
    long expectedBilled() {
        return served.get() + flakyRequestIds.size();
    }

    /** Waits for the requests still in flight. */
    void drain() throws InterruptedException {
        inFlight.acquire(16);
        inFlight.release(16);
    }

    /** Every other account's owner buys credits a few seconds after the first 402. */
    private void topUpIfDue(String account) {
        Long since = firstPaymentRequired.get(account);
        if (since != null && accounts.indexOf(account) % 2 == 0 && System.currentTimeMillis() - since > TOP_UP_DELAY_MS
                && firstPaymentRequired.remove(account, since)) {
            event(account, "CREDITS_PURCHASED", "10.00");
            topUps.incrementAndGet();
        }
    }

    /**
     * Heavy accounts (every third) ask for long completions from big models and run dry within a
     * minute; the others send short chats. Prompt tokens are about four characters each.
     */
    private HttpRequest chatRequest(String account) {
        boolean heavy = heavy(accounts.indexOf(account));
        String model = heavy ? MODELS[random.nextInt(3)] : MODELS[random.nextInt(MODELS.length)];
        long maxTokens = heavy ? 40_000 + random.nextInt(80_000) : 20 + random.nextInt(800);
        ObjectNode body = json.createObjectNode().put("model", model).put("max_tokens", maxTokens);
        body.putArray("messages").addObject().put("role", "user").put("content", "x".repeat(50 + random.nextInt(2_000)));
        return HttpRequest.newBuilder(gateway).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + keys.get(account))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    private static boolean heavy(int index) {
        return index % 3 == 0;
    }

    private void autoTopUp(String account) {
        ObjectNode n = json.createObjectNode()
                .put("event_id", "evt-auto-top-up-" + account + "-" + random.nextInt(1_000_000))
                .put("account_id", account)
                .put("type", "AUTO_TOPUP_SET")
                .put("occurred_at", Instant.now().toString())
                .put("below_usd", AUTO_TOP_UP_BELOW)
                .put("amount_usd", AUTO_TOP_UP_AMOUNT);
        producer.send(new ProducerRecord<>(eventsTopic, account, n.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** A node retrying a request it already reported: same request_id, billed once. */
    private byte[] resendOf(String account) {
        String id = "node-retry-" + account + "-" + random.nextInt(20);
        flakyRequestIds.add(id);
        ObjectNode n = json.createObjectNode()
                .put("request_id", id)
                .put("account_id", account)
                .put("model", "llama-3.1-8b")
                .put("completed_at", Instant.now().toString())
                .put("node_id", "node-flaky");
        n.putObject("usage").put("prompt_tokens", 100).put("completion_tokens", 100).put("total_tokens", 200);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] malformedRecord(String account) {
        String at = Instant.now().toString();
        String[] bad = {
            "{\"request_id\":\"x\",\"account_id\":\"" + account + "\",\"model\":\"gpt-9\",\"usage\":{\"prompt_tokens\":1,"
                    + "\"completion_tokens\":1,\"total_tokens\":2},\"completed_at\":\"" + at + "\"}",
            "{\"request_id\":\"x\",\"account_id\":\"" + account + "\",\"model\":\"llama-3.1-8b\",\"usage\":{\"prompt_tokens\":1,"
                    + "\"completion_tokens\":1,\"total_tokens\":3},\"completed_at\":\"" + at + "\"}",
            "{\"request_id\": \"x\", \"account_id\": ",
        };
        return bad[random.nextInt(bad.length)].getBytes(StandardCharsets.UTF_8);
    }

    private void event(String account, String type, String amount) {
        ObjectNode n = json.createObjectNode()
                .put("event_id", "evt-" + (++sequence) + "-" + random.nextInt(1_000_000))
                .put("account_id", account)
                .put("type", type)
                .put("occurred_at", Instant.now().toString());
        if (amount != null) {
            n.put("amount_usd", amount);
        }
        producer.send(new ProducerRecord<>(eventsTopic, account, n.toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        producer.close();
    }
}
