package dev.billing.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.billing.it.LedgerModel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Simulated inference nodes for the fault scenarios: a paced stream of usage records in which a
 * tenth are resends of earlier ones (the same bytes, as a retrying node sends them). Every
 * distinct record is also fed to the {@link LedgerModel} that is the ground truth.
 */
final class UsageStream {
    static final String[] MODELS = {"qwen3.5-35b-a3b", "llama-3.3-70b", "deepseek-v3", "llama-3.1-8b"};

    private final ObjectMapper json = new ObjectMapper();
    private final List<ProducerRecord<String, byte[]>> records = new ArrayList<>();

    UsageStream(long seed, String topic, int accounts, int count, long from, long to, LedgerModel model) {
        Random random = new Random(seed);
        List<ProducerRecord<String, byte[]>> distinct = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (!distinct.isEmpty() && random.nextInt(10) == 0) {
                records.add(distinct.get(random.nextInt(distinct.size())));
                continue;
            }
            int a = random.nextInt(accounts);
            String account = String.format("acct-%03d", a);
            String modelId = MODELS[random.nextInt(MODELS.length)];
            long prompt = a % 4 == 0 ? 100_000 + random.nextInt(300_000) : 100 + random.nextInt(20_000);
            long completion = random.nextInt(5_000);
            long completedAt = from + (long) (random.nextDouble() * (to - from));
            ObjectNode n = json.createObjectNode()
                    .put("request_id", "req-" + seed + "-" + i)
                    .put("account_id", account)
                    .put("model", modelId)
                    .put("completed_at", Instant.ofEpochMilli(completedAt).toString())
                    .put("node_id", "node-" + random.nextInt(4));
            n.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                    .put("total_tokens", prompt + completion);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, account,
                    n.toString().getBytes(StandardCharsets.UTF_8));
            distinct.add(record);
            records.add(record);
            model.usage(account, modelId, prompt, completion, completedAt);
        }
    }

    int size() {
        return records.size();
    }

    /**
     * Sends the stream at about {@code perSecond} records per second and starts {@code fault} on
     * its own thread when {@code faultAt} records have been sent, so the nodes keep sending during
     * the fault. Returns when everything is sent and the fault is over. The producer retries
     * through broker outages.
     */
    void send(String bootstrap, int perSecond, int faultAt, FaultScenariosIT.Fault fault) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("linger.ms", "5");
        p.put("delivery.timeout.ms", "300000");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            Thread faultThread = null;
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            for (int i = 0; i < records.size(); i++) {
                if (i == faultAt) {
                    faultThread = new Thread(() -> {
                        try {
                            fault.inject();
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    }, "fault");
                    faultThread.start();
                }
                producer.send(records.get(i));
                long due = start + i * 1_000_000_000L / perSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000)); // pacing of the simulated nodes
                }
            }
            producer.flush();
            if (faultThread != null) {
                faultThread.join();
            }
            if (failure.get() != null) {
                throw new IllegalStateException("injecting the fault failed", failure.get());
            }
        }
    }
}
