package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The most recent alerts of each account, newest first, at most {@code perAccount} of them. The
 * alerts topic is delivered at least once (a restored job may publish an alert again, with the
 * same id): an id already kept is not kept twice.
 */
final class RecentAlerts {
    private final int perAccount;
    private final ConcurrentHashMap<String, Deque<ObjectNode>> byAccount = new ConcurrentHashMap<>();

    RecentAlerts(int perAccount) {
        this.perAccount = perAccount;
    }

    void add(ObjectNode alert) {
        String account = alert.path("account_id").asText(null);
        String id = alert.path("alert_id").asText(null);
        if (account == null || id == null) {
            return;
        }
        byAccount.compute(account, (a, alerts) -> {
            Deque<ObjectNode> kept = alerts == null ? new ArrayDeque<>() : alerts;
            for (ObjectNode k : kept) {
                if (id.equals(k.path("alert_id").asText())) {
                    return kept;
                }
            }
            kept.addFirst(alert);
            while (kept.size() > perAccount) {
                kept.removeLast();
            }
            return kept;
        });
    }

    /** Newest first (in the order the topic delivered them). */
    List<ObjectNode> of(String accountId) {
        List<ObjectNode> out = new ArrayList<>();
        byAccount.computeIfPresent(accountId, (a, alerts) -> {
            out.addAll(alerts);
            return alerts;
        });
        return out;
    }
}
