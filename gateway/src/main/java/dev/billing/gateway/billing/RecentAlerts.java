package dev.billing.gateway.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The most recent alerts of each account, newest first, in bounded memory: at most
 * {@code perAccount} alerts per account, of the {@code maxAccounts} accounts alerted or asked for
 * most recently (the account unused longest is forgotten first), none older than {@code maxAge}
 * by its time in the topic. The alerts topic is delivered at least once (a restored job may
 * publish an alert again, with the same id): an id already kept is not kept twice.
 */
final class RecentAlerts {
    private record Kept(ObjectNode alert, long timestamp) {}

    private final int perAccount;
    private final int maxAccounts;
    private final Duration maxAge;
    private final Clock clock;
    // access order: the eldest entry is the account alerted or read longest ago
    private final LinkedHashMap<String, Deque<Kept>> byAccount; // guarded by this

    RecentAlerts(int perAccount, int maxAccounts, Duration maxAge, Clock clock) {
        this.perAccount = perAccount;
        this.maxAccounts = maxAccounts;
        this.maxAge = maxAge;
        this.clock = clock;
        this.byAccount = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Deque<Kept>> eldest) {
                return size() > RecentAlerts.this.maxAccounts;
            }
        };
    }

    /** @param timestamp the alert's time in the topic, epoch milliseconds */
    synchronized void add(ObjectNode alert, long timestamp) {
        String account = alert.path("account_id").asText(null);
        String id = alert.path("alert_id").asText(null);
        if (account == null || id == null || tooOld(timestamp)) {
            return;
        }
        Deque<Kept> kept = byAccount.computeIfAbsent(account, a -> new ArrayDeque<>());
        for (Kept k : kept) {
            if (id.equals(k.alert().path("alert_id").asText())) {
                return;
            }
        }
        kept.addFirst(new Kept(alert, timestamp));
        while (kept.size() > perAccount) {
            kept.removeLast();
        }
    }

    /** Newest first (in the order the topic delivered them). */
    synchronized List<ObjectNode> of(String accountId) {
        Deque<Kept> kept = byAccount.get(accountId);
        if (kept == null) {
            return List.of();
        }
        kept.removeIf(k -> tooOld(k.timestamp()));
        if (kept.isEmpty()) {
            byAccount.remove(accountId);
            return List.of();
        }
        List<ObjectNode> out = new ArrayList<>(kept.size());
        kept.forEach(k -> out.add(k.alert()));
        return out;
    }

    /** Accounts with alerts kept now (some may be past their age until asked for). */
    synchronized int accounts() {
        return byAccount.size();
    }

    private boolean tooOld(long timestamp) {
        return clock.millis() - timestamp > maxAge.toMillis();
    }
}
