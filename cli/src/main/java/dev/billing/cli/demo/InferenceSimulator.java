package dev.billing.cli.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Simulated inference nodes and payments. Each account has an appetite; a blocked account gets
 * a 402 from its (simulated) gateway instead of being served; some accounts buy credits a few
 * seconds after being cut off. A few requests are resent (node retries) and a few messages are
 * malformed, to show the dead-letter topic.
 */
final class InferenceSimulator implements AutoCloseable {
    static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};
    private static final long TOP_UP_DELAY_MS = 3_000;

    private final ObjectMapper json = new ObjectMapper();
    private final KafkaProducer<String, byte[]> producer;
    private final String usageTopic;
    private final String eventsTopic;
    private final TopicWatcher watcher;
    private final Random random;
    private final List<String> accounts = new ArrayList<>();
    private final Map<String, Long> blockedSince = new HashMap<>();
    private final List<ProducerRecord<String, byte[]>> recent = new ArrayList<>();

    final AtomicLong served = new AtomicLong();
    final AtomicLong paymentRequired = new AtomicLong();
    final AtomicLong resent = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong topUps = new AtomicLong();
    private long sequence;

    InferenceSimulator(String bootstrapServers, String usageTopic, String eventsTopic, int accountCount, long seed,
            TopicWatcher watcher) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        p.put("acks", "all");
        p.put("linger.ms", "5");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.usageTopic = usageTopic;
        this.eventsTopic = eventsTopic;
        this.watcher = watcher;
        this.random = new Random(seed);
        for (int i = 1; i <= accountCount; i++) {
            String account = String.format("acct-%02d", i);
            accounts.add(account);
            event(account, "ACCOUNT_OPENED", null);
        }
    }

    List<String> accounts() {
        return accounts;
    }

    /** One request from a random account, as a gateway and an inference node would handle it. */
    void request() {
        String account = accounts.get(random.nextInt(accounts.size()));
        long now = System.currentTimeMillis();
        if (watcher.isBlocked(account)) {
            paymentRequired.incrementAndGet();
            long since = blockedSince.computeIfAbsent(account, a -> now);
            if (topsUp(account) && now - since > TOP_UP_DELAY_MS) {
                event(account, "CREDITS_PURCHASED", "10.00");
                topUps.incrementAndGet();
                blockedSince.put(account, Long.MAX_VALUE / 2); // once per cutoff
            }
            return;
        }
        blockedSince.remove(account);
        int roll = random.nextInt(1000);
        if (roll < 20 && !recent.isEmpty()) {
            producer.send(recent.get(random.nextInt(recent.size())));
            resent.incrementAndGet();
        } else if (roll < 30) {
            producer.send(new ProducerRecord<>(usageTopic, account, malformedRecord(account)));
            malformed.incrementAndGet();
        } else {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(usageTopic, account, usage(account, now));
            producer.send(record);
            served.incrementAndGet();
            if (recent.size() < 1_000) {
                recent.add(record);
            } else {
                recent.set(random.nextInt(recent.size()), record);
            }
        }
    }

    /** Heavy accounts (every third) send long prompts to big models and run dry within a minute. */
    private byte[] usage(String account, long now) {
        boolean heavy = accounts.indexOf(account) % 3 == 0;
        String model = heavy ? MODELS[random.nextInt(3)] : MODELS[random.nextInt(MODELS.length)];
        long prompt = heavy ? 20_000 + random.nextInt(60_000) : 50 + random.nextInt(3_000);
        long completion = heavy ? 1_000 + random.nextInt(8_000) : 20 + random.nextInt(800);
        ObjectNode n = json.createObjectNode()
                .put("request_id", "req-" + (++sequence) + "-" + Integer.toHexString(random.nextInt()))
                .put("account_id", account)
                .put("model", model)
                .put("completed_at", Instant.ofEpochMilli(now).toString())
                .put("node_id", "node-" + random.nextInt(4));
        n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
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

    private boolean topsUp(String account) {
        return accounts.indexOf(account) % 2 == 0;
    }

    private void event(String account, String type, String amount) {
        ObjectNode n = json.createObjectNode()
                .put("event_id", "evt-" + (++sequence))
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
