package dev.billing.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.billing.gateway.payments.GroupFollower;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what the demo reports beside the gateway's view: cutoffs published on
 * {@code account-status} (newest version per account only) and dead letters by reason.
 */
final class TopicWatcher extends GroupFollower {
    private final String statusTopic;
    private final Map<String, JsonNode> latest = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> deadLetters = new ConcurrentHashMap<>();
    private final AtomicLong cutoffs = new AtomicLong();

    TopicWatcher(String bootstrapServers, String statusTopic, String dlqTopic) {
        super(bootstrapServers, new Properties(), "billing-demo-topic-watcher-" + UUID.randomUUID(), "demo-topic-watcher",
                List.of(statusTopic, dlqTopic));
        this.statusTopic = statusTopic;
        start();
    }

    @Override
    protected void onRecord(String topic, JsonNode json) {
        if (topic.equals(statusTopic)) {
            onStatus(json);
        } else {
            deadLetters.computeIfAbsent(json.path("reason").asText(), k -> new AtomicLong()).incrementAndGet();
        }
    }

    private void onStatus(JsonNode status) {
        String account = status.path("account_id").asText();
        JsonNode before = latest.get(account);
        if (before != null && before.path("version").asLong() >= status.path("version").asLong()) {
            return; // stale or replayed
        }
        latest.put(account, status);
        if ("BLOCKED".equals(status.path("status").asText())) {
            cutoffs.incrementAndGet();
        }
    }

    long cutoffs() {
        return cutoffs.get();
    }

    Map<String, Long> deadLettersByReason() {
        Map<String, Long> out = new java.util.TreeMap<>();
        deadLetters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

}
